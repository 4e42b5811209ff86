import { describe, expect, it } from 'vitest';
import { Progress, formatDuration, formatProgress } from './progress';

describe('formatProgress', () => {
  it('shows bar, percent, events, rate and an ETA from the unread share of the file', () => {
    expect(formatProgress({ events: 12_000, bytesRead: 250, totalBytes: 1000, elapsedMs: 4000 }, true)).toBe(
      '[######------------------]  25%  12,000 events  3,000/s  ETA 0:12',
    );
    expect(formatProgress({ events: 5, bytesRead: 1000, totalBytes: 1000, elapsedMs: 0 }, false)).toBe('100%  5 events  0/s  ETA 0:00');
    expect(formatProgress({ events: 0, bytesRead: 0, totalBytes: 1000, elapsedMs: 10 }, false)).toBe('  0%  0 events  0/s  ETA ?');
  });

  it('formats durations', () => {
    expect([formatDuration(0), formatDuration(59.6), formatDuration(61), formatDuration(3 * 3600 + 62)]).toEqual(['0:00', '1:00', '1:01', '3:01:02']);
  });
});

describe('Progress', () => {
  it('redraws one line on a terminal and clears it before messages', () => {
    let out = '';
    let t = 0;
    const p = new Progress({ write: (s: string) => (out += s), isTTY: true }, 100, () => t);
    t = 1000;
    p.update(10, 50);
    p.update(11, 51); // throttled: same instant
    p.log('line 3: invalid JSON');
    expect(out).toBe('\r\x1b[2K[############------------]  50%  10 events  10/s  ETA 0:01\r\x1b[2Kline 3: invalid JSON\n');
  });

  it('prints plain lines at most every interval when not a terminal', () => {
    const lines: string[] = [];
    let t = 0;
    const p = new Progress({ write: (s: string) => lines.push(s) }, 100, () => t, 5000);
    t = 6000;
    p.update(1, 10);
    t = 7000;
    p.update(2, 20);
    t = 12_000;
    p.update(3, 30);
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
  });
});
