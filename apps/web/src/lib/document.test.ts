import { describe, expect, it } from 'vitest';
import { displayValue, flattenDocument, getPath } from './document';

describe('document helpers', () => {
  const doc = { process: { entry_leader: { entry_meta: { type: 'container' } }, args: ['sh'] }, 'container.id': 'abc', '@timestamp': 't' };

  it('reads nested and dotted paths', () => {
    expect(getPath(doc, 'process.entry_leader.entry_meta.type')).toBe('container');
    expect(getPath(doc, 'container.id')).toBe('abc');
    expect(getPath(doc, 'process.missing')).toBeUndefined();
  });

  it('flattens to sorted rows, keeping arrays whole', () => {
    expect(flattenDocument(doc)).toEqual([
      ['@timestamp', 't'],
      ['container.id', 'abc'],
      ['process.args', ['sh']],
      ['process.entry_leader.entry_meta.type', 'container'],
    ]);
    expect(displayValue(['a', 'b'])).toBe('["a","b"]');
    expect(displayValue(null)).toBe('—');
  });
});
