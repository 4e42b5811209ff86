import { describe, expect, it } from 'vitest';
import type { BulkOperation } from '../store/ports';
import { coerceOperations, coerceSourceText } from './coerce';

const op = (source: string | Uint8Array): BulkOperation => ({ action: 'create', index: 'logs-cloud_defend.process-default', source, line: 2 });
const coerced = (doc: unknown): unknown => {
  const out = coerceSourceText(JSON.stringify(doc));
  return out === null ? null : JSON.parse(out);
};

describe('coercion of ECS strings as the mapping does it', () => {
  it('turns boolean and numeric ECS fields sent as strings into their types, nested or dotted', () => {
    expect(coerced({ process: { interactive: 'true', pid: '42', entry_leader: { same_as_process: 'false' } } })).toEqual({
      process: { interactive: true, pid: 42, entry_leader: { same_as_process: false } },
    });
    expect(coerced({ 'process.interactive': 'true', 'process.args_count': '3' })).toEqual({ 'process.interactive': true, 'process.args_count': 3 });
    expect(coerced({ process: { parent: { thread: { id: '7' } } } })).toEqual({ process: { parent: { thread: { id: 7 } } } });
  });

  it('truncates decimals of integer fields, as coerce does, and keeps floats', () => {
    expect(coerced({ process: { pid: '42.9' } })).toEqual({ process: { pid: 42 } });
  });

  it('leaves keyword fields, non-ECS fields and values that are not what the type takes as sent', () => {
    expect(coerced({ user: { id: '0' }, process: { name: 'true' }, custom: { flag: 'true' } })).toBeNull();
    expect(coerced({ process: { interactive: 'yes', pid: 'abc' } })).toBeNull();
    expect(coerceSourceText('{"process":{"pid":"1"')).toBeNull(); // not JSON: the store answers it
  });

  it('rewrites only the sources that need it, bytes or text', () => {
    const plain = Buffer.from('{"user":{"id":"0"},"process":{"pid":1,"interactive":true}}');
    const ops = [op(new Uint8Array(plain.buffer, plain.byteOffset, plain.length)), op(Buffer.from('{"process":{"interactive":"true"}}')), op('{"process": {"pid": "9"}}')];
    const before = ops[0]?.source;
    coerceOperations(ops);
    expect(ops[0]?.source).toBe(before);
    expect(ops[1]?.source).toBe('{"process":{"interactive":true}}');
    expect(ops[2]?.source).toBe('{"process":{"pid":9}}');
  });
});
