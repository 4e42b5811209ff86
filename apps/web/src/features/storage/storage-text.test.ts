import { describe, expect, it } from 'vitest';
import { diskSentence, formatBytes, retentionInputError } from './storage-text';

describe('storage text', () => {
  it.each([
    [null, '—'],
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KB'],
    [150 * 2 ** 20, '150 MB'],
    [2.25 * 2 ** 30, '2.3 GB'],
  ])('formats %s bytes as %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));

  it('says when ingest is refused', () => {
    expect(diskSentence(null)).toBeNull();
    expect(diskSentence({ free_bytes: 2 ** 30, min_free_bytes: 2 * 2 ** 30, blocked: true })).toMatch(/^Ingest is refused: 1.0 GB free/);
    expect(diskSentence({ free_bytes: 50 * 2 ** 30, min_free_bytes: 2 * 2 ** 30, blocked: false })).toBe('50.0 GB free, ingest stops below 2.0 GB');
  });

  it.each([['7d', null], ['36h', null], ['30m', 'At least 1h.'], ['7 days', 'Use a number and a unit: 90m, 36h or 7d.'], ['40000d', 'At most 36500d.']])(
    'checks the retention %s',
    (text, error) => expect(retentionInputError(text)).toBe(error),
  );
});
