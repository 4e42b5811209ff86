import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { multipartBoundary, multipartField } from './multipart';

const body = (boundary: string, parts: { name: string; content: string }[]) =>
  Buffer.from(
    `${parts.map((p) => `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="x.ndjson"\r\nContent-Type: application/ndjson\r\n\r\n${p.content}\r\n`).join('')}--${boundary}--\r\n`,
  );

describe('multipart reader', () => {
  it('reads the boundary, quoted or not, and only from multipart types', () => {
    expect(multipartBoundary('multipart/form-data; boundary=----abc')).toBe('----abc');
    expect(multipartBoundary('multipart/form-data; boundary="a b"')).toBe('a b');
    expect(multipartBoundary('application/json')).toBeNull();
    expect(multipartBoundary(undefined)).toBeNull();
  });

  it('returns the named part exactly, among others', () => {
    const b = 'XyZ';
    const content = '{"a":1}\n{"b":"--XY"}\n';
    const buf = body(b, [{ name: 'other', content: 'nope' }, { name: 'file', content }]);
    expect(multipartField(buf, b, 'file')?.toString()).toBe(content);
    expect(multipartField(buf, b, 'missing')).toBeNull();
  });

  it('round-trips any content that does not contain the boundary, and never throws on junk', () => {
    fc.assert(
      fc.property(fc.string(), (content) => {
        fc.pre(!content.includes('--bnd'));
        expect(multipartField(body('bnd', [{ name: 'file', content }]), 'bnd', 'file')?.toString()).toBe(content);
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.string({ minLength: 1, maxLength: 10 }), (bytes, boundary) => {
        const r = multipartField(Buffer.from(bytes), boundary, 'file');
        expect(r === null || Buffer.isBuffer(r)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
