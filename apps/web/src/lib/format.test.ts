import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatTime, formatTimeToMinute, getDisplayTimeZone, setDisplayTimeZone, subscribeDisplayTimeZone } from './format';

const t = '2026-11-23T19:13:02.345Z';

describe('formatTime', () => {
  afterEach(() => setDisplayTimeZone(undefined));

  it('shows one format that names the zone', () => {
    expect(formatTime(t, 'UTC')).toBe('2026-11-23 19:13:02 UTC');
    expect(formatTime(t, 'Asia/Tokyo')).toBe('2026-11-24 04:13:02 GMT+9');
    expect(formatTime(Date.parse(t), 'UTC')).toBe('2026-11-23 19:13:02 UTC');
    expect(formatTimeToMinute(Date.parse(t), 'UTC')).toBe('2026-11-23 19:13 UTC');
  });

  it('keeps 24-hour times at midnight', () => {
    expect(formatTime('2026-11-23T00:05:09Z', 'UTC')).toBe('2026-11-23 00:05:09 UTC');
  });

  it('follows the chosen display zone and tells subscribers', () => {
    const listener = vi.fn();
    const unsubscribe = subscribeDisplayTimeZone(listener);
    setDisplayTimeZone('Asia/Tokyo');
    expect(getDisplayTimeZone()).toBe('Asia/Tokyo');
    expect(formatTime(t)).toBe('2026-11-24 04:13:02 GMT+9');
    setDisplayTimeZone('Asia/Tokyo');
    expect(listener).toHaveBeenCalledTimes(1);
    setDisplayTimeZone('UTC');
    expect(formatTime(t)).toBe('2026-11-23 19:13:02 UTC');
    expect(listener).toHaveBeenCalledTimes(2);
    unsubscribe();
  });

  it('falls back to the browser zone for a zone it does not know', () => {
    setDisplayTimeZone('Mars/Olympus_Mons');
    expect(getDisplayTimeZone()).toBeUndefined();
  });

  it('shows a dash for nothing and the input for what is not a time', () => {
    expect(formatTime(null)).toBe('—');
    expect(formatTime(undefined)).toBe('—');
    expect(formatTime('')).toBe('—');
    expect(formatTime('yesterday-ish')).toBe('yesterday-ish');
  });
});
