import { describe, expect, it } from 'vitest';
import { readTimeZonePreference, writeTimeZonePreference, type PreferenceStorage } from './time-zone';

function memoryStorage(): PreferenceStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

describe('time zone preference', () => {
  it('is kept per user, the browser zone by default', () => {
    const storage = memoryStorage();
    expect(readTimeZonePreference(storage, 'analyst')).toEqual({ kind: 'browser' });
    writeTimeZonePreference(storage, 'analyst', { kind: 'named', zone: 'Asia/Tokyo' });
    writeTimeZonePreference(storage, 'admin', { kind: 'named', zone: 'UTC' });
    expect(readTimeZonePreference(storage, 'analyst')).toEqual({ kind: 'named', zone: 'Asia/Tokyo' });
    expect(readTimeZonePreference(storage, 'admin')).toEqual({ kind: 'named', zone: 'UTC' });
    writeTimeZonePreference(storage, 'analyst', { kind: 'browser' });
    expect(readTimeZonePreference(storage, 'analyst')).toEqual({ kind: 'browser' });
    expect(storage.data.size).toBe(1);
  });

  it('ignores a saved zone the browser does not know, and storage that throws', () => {
    const storage = memoryStorage();
    storage.data.set('execwatch.timeZone.analyst', 'Nowhere/Atlantis');
    expect(readTimeZonePreference(storage, 'analyst')).toEqual({ kind: 'browser' });
    const broken: PreferenceStorage = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => undefined,
    };
    expect(readTimeZonePreference(broken, 'analyst')).toEqual({ kind: 'browser' });
    expect(() => writeTimeZonePreference(broken, 'analyst', { kind: 'named', zone: 'UTC' })).not.toThrow();
  });
});
