import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob, compileMatch, Subject, type Match, type SessionContext } from './matcher';
import { readProcess } from './process-facts';
import { proc } from './test-helpers';

const none: SessionContext = { downloaded: new Set(), downloadedDirs: new Set() };
const subject = (line: string, cwd = '/') => new Subject(readProcess(proc(line, { cwd })));
const matches = (m: Match, line: string, ctx: SessionContext = none, cwd = '/') => compileMatch(m)(subject(line, cwd), ctx);

describe('compileGlob', () => {
  it.each([
    ['abc', 'abc', true],
    ['abc', 'abcd', false],
    ['a*', 'abc', true],
    ['a*', 'ba', false],
    ['*c', 'abc', true],
    ['*c', 'cab', false],
    ['*b*', 'abc', true],
    ['*b*', 'ac', false],
    ['a*c', 'ac', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'acb', false],
    ['ab*ba', 'aba', false],
    ['*', '', true],
    ['**', 'x', true],
    ['a**b', 'ab', true],
    ['-*l*', '-lvnp', true],
  ] as const)('%s against %s is %s', (pattern, value, expected) => {
    expect(compileGlob(pattern)(value)).toBe(expected);
  });

  it('agrees with a reference implementation', () => {
    const reference = (pattern: string, value: string) => new RegExp(`^${pattern.replaceAll('*', '.*')}$`).test(value); // alphabet a, b, * only
    fc.assert(
      fc.property(fc.stringMatching(/^[ab*]{0,8}$/), fc.stringMatching(/^[ab]{0,10}$/), (pattern, value) => {
        expect(compileGlob(pattern)(value)).toBe(reference(pattern, value));
      }),
      { numRuns: 2_000 },
    );
  });

  it('does not backtrack on hostile input', () => {
    expect(compileGlob('*a*a*a*a*a*a*a*a*b')('a'.repeat(200_000))).toBe(false);
  });
});

describe('compileMatch', () => {
  it('tests arguments after argv[0] only', () => {
    expect(matches({ arg: { equals: ['nc'] } }, 'nc -l')).toBe(false);
    expect(matches({ arg: { equals: ['-l'] } }, 'nc -l')).toBe(true);
  });

  it('compares case-insensitively when asked', () => {
    const m: Match = { arg: { nocase: true, glob: ['*authorization: bearer *'] } };
    expect(matches(m, 'curl -H "AUTHORIZATION: Bearer x" https://a')).toBe(true);
    expect(matches({ arg: { glob: ['*authorization: bearer *'] } }, 'curl -H "AUTHORIZATION: Bearer x" https://a')).toBe(false);
  });

  it('rejects arguments matching unless', () => {
    const m: Match = { arg: { glob: ['-*l*'], unless: ['--*'] } };
    expect(matches(m, 'nc -lvp 4444')).toBe(true);
    expect(matches(m, 'nc --ssl host 443')).toBe(false);
  });

  it('finds argument sequences', () => {
    const m: Match = { argSequence: [{ equals: ['auth'] }, { equals: ['can-i'] }] };
    expect(matches(m, 'kubectl auth can-i --list')).toBe(true);
    expect(matches(m, 'kubectl can-i auth')).toBe(false);
    expect(matches(m, 'kubectl auth')).toBe(false);
  });

  it('reads the last operand and counts operands, resolved against the working directory', () => {
    expect(matches({ lastOperand: { prefix: ['/etc/cron'] } }, 'cp /tmp/job /etc/cron.d/job')).toBe(true);
    expect(matches({ lastOperand: { prefix: ['/etc/cron'] } }, 'cp /etc/cron.d/job /tmp/job')).toBe(false);
    expect(matches({ lastOperand: { equals: ['/app/x'] } }, 'cp y x', none, '/app')).toBe(true);
    expect(matches({ operands: { max: 0 } }, 'mount')).toBe(true);
    expect(matches({ operands: { max: 0 } }, 'mount -l')).toBe(true);
    expect(matches({ operands: { max: 0 } }, 'mount /dev/sda1 /mnt')).toBe(false);
  });

  it('knows files the session downloaded, and the directories holding them', () => {
    const ctx: SessionContext = { downloaded: new Set(['/app/agent']), downloadedDirs: new Set(['/opt/x']) };
    expect(matches({ sessionPath: 'downloaded', on: 'executable' }, '/app/agent', ctx)).toBe(true);
    expect(matches({ sessionPath: 'downloaded', on: 'operands' }, 'rm -f agent', ctx, '/app')).toBe(true);
    expect(matches({ sessionPath: 'downloaded', on: 'operands' }, 'rm -rf /opt/x/', ctx)).toBe(true);
    expect(matches({ sessionPath: 'downloaded', on: 'operands' }, 'rm -rf /app/cache', ctx)).toBe(false);
    expect(matches({ sessionPath: 'downloaded', on: 'executable' }, '/app/agent')).toBe(false);
  });

  it('tells fetches into files from fetches to standard output', () => {
    expect(matches({ fetch: 'file' }, 'curl -o /tmp/x https://203.0.113.50/x')).toBe(true);
    expect(matches({ fetch: 'stdout' }, 'curl -o /tmp/x https://203.0.113.50/x')).toBe(false);
    expect(matches({ fetch: 'stdout' }, 'curl -s https://203.0.113.50/x')).toBe(true);
    expect(matches({ fetch: 'stdout' }, 'curl -s http://localhost:8080/x')).toBe(false);
    expect(matches({ fetch: 'file' }, 'cat /tmp/x')).toBe(false);
  });

  it('refuses conditions that could let an added process lower a score', () => {
    expect(() => compileMatch({ not: { sessionPath: 'downloaded', on: 'operands' } })).toThrow(/negated/);
    expect(() => compileMatch({ any: [{ not: { all: [{ sessionPath: 'downloaded', on: 'executable' }] } }] })).toThrow(/negated/);
  });

  it('refuses an argument test that tests nothing', () => {
    expect(() => compileMatch({ arg: { unless: ['x'] } })).toThrow();
    expect(() => compileMatch({ argSequence: [] })).toThrow();
  });
});
