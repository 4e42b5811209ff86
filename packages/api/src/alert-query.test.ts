import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlertQuerySyntaxError, parseAlertQuery, type AlertQueryTerm } from './alert-query';

const text = (value: string, negate = false): AlertQueryTerm => ({ kind: 'text', value, negate });
const field = (f: string, value: string, negate = false): AlertQueryTerm => ({ kind: 'field', field: f, value, negate });

describe('parseAlertQuery', () => {
  it.each<[string, AlertQueryTerm[]]>([
    ['', []],
    ['   ', []],
    ['bash', [text('bash')]],
    ['bash curl', [text('bash'), text('curl')]],
    ['"kubectl exec" -it', [text('kubectl exec'), text('it', true)]],
    ['user.name:root', [field('user.name', 'root')]],
    ['user.name:"Jane Doe"', [field('user.name', 'Jane Doe')]],
    ['container.image.name:*runner*', [field('container.image.name', '*runner*')]],
    ['NOT status:closed', [field('status', 'closed', true)]],
    ['-namespace:ci bash', [field('namespace', 'ci', true), text('bash')]],
    ['a AND b', [text('a'), text('b')]],
    ['@timestamp:x', [field('@timestamp', 'x')]],
    ['path\\:with\\:colons', [text('path:with:colons')]],
    ['reason:"say \\"hi\\""', [field('reason', 'say "hi"')]],
    ['x-y', [text('x-y')]],
    ['-', [text('-')]],
    ['host:*', [field('host', '*')]],
  ])('%j', (q, terms) => {
    expect(parseAlertQuery(q).terms).toEqual(terms);
  });

  it.each([
    ['"unterminated', /unterminated/],
    ['user.name:', /missing value/],
    [':x', /missing field/],
    ['a OR b', /OR is not supported/],
    ['(a)', /parentheses/],
    ['NOT', /NOT needs a term/],
    ['AND a', /AND needs a term before/],
    ['a AND', /AND needs a term after/],
    ['a AND AND b', /AND needs a term/],
    ['NOT NOT a', /unexpected NOT/],
    ['NOT -a', /double negation/],
    ['bad..field:x', /invalid field name/],
    ['risk_score:>50', /range queries/],
    ['a:b:c', /unexpected ":"/],
    ['*', /matches everything/],
    ['""', /empty phrase/],
    ['user.name:""', /empty value/],
    ['"a"b', /space after the closing quote/],
    ['ab\\', /dangling escape/],
    ['a"b', /unexpected quote/],
  ])('rejects %j', (q, message) => {
    expect(() => parseAlertQuery(q)).toThrow(AlertQuerySyntaxError);
    expect(() => parseAlertQuery(q)).toThrow(message);
  });

  it('fuzz: any input parses or throws AlertQuerySyntaxError, nothing else', () => {
    const alphabet = fc.constantFrom('a', 'b', ' ', ':', '"', '\\', '-', '*', '.', '(', ')', 'NOT', 'AND', 'OR', '@', '_', 'é');
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.array(alphabet, { maxLength: 30 }).map((a) => a.join(''))), (q) => {
        try {
          const parsed = parseAlertQuery(q);
          for (const t of parsed.terms) {
            expect(t.value.length).toBeGreaterThan(0);
            if (t.kind === 'field') expect(t.field).toMatch(/^[A-Za-z0-9_@][A-Za-z0-9_@.-]*$/);
          }
        } catch (e) {
          expect(e).toBeInstanceOf(AlertQuerySyntaxError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('fuzz: quoted field values round-trip', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), (v) => {
        const quoted = `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
        expect(parseAlertQuery(`user.name:${quoted}`).terms).toEqual([field('user.name', v)]);
      }),
      { numRuns: 1000 },
    );
  });
});
