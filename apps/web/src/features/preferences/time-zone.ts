import { useSyncExternalStore } from 'react';
import { getDisplayTimeZone, isSupportedTimeZone, setDisplayTimeZone, subscribeDisplayTimeZone } from '../../lib/format';

/** What a user chose: the browser's zone, or a named IANA zone (`UTC` included). */
export type TimeZonePreference = { kind: 'browser' } | { kind: 'named'; zone: string };

const storageKey = (username: string) => `execwatch.timeZone.${username}`;

/** The storage part of `window.localStorage` the preference needs (tests pass a Map-backed one). */
export type PreferenceStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The user's saved choice; the browser's zone when nothing (or a zone this browser lacks) was saved. */
export function readTimeZonePreference(storage: PreferenceStorage | null, username: string): TimeZonePreference {
  let saved: string | null = null;
  try {
    saved = storage?.getItem(storageKey(username)) ?? null;
  } catch {
    // Storage may be disabled (private mode, policy): fall back to the browser's zone.
  }
  return saved && isSupportedTimeZone(saved) ? { kind: 'named', zone: saved } : { kind: 'browser' };
}

/** Saves the choice for this user on this browser. */
export function writeTimeZonePreference(storage: PreferenceStorage | null, username: string, preference: TimeZonePreference): void {
  try {
    if (preference.kind === 'browser') storage?.removeItem(storageKey(username));
    else storage?.setItem(storageKey(username), preference.zone);
  } catch {
    // Without storage the choice lasts until the page is reloaded.
  }
}

/** Makes the preference the zone every time is shown in. */
export function applyTimeZonePreference(preference: TimeZonePreference): void {
  setDisplayTimeZone(preference.kind === 'named' ? preference.zone : undefined);
}

/** `window.localStorage`, or null where the browser refuses it. */
export function browserStorage(): PreferenceStorage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/**
 * The zone times are shown in (undefined: the browser's). A component that formats times and may skip a render
 * (memoized, or the root of a page) calls it so that a change of zone re-renders it.
 */
export function useDisplayTimeZone(): string | undefined {
  return useSyncExternalStore(subscribeDisplayTimeZone, getDisplayTimeZone);
}

/** Zones to offer: the browser's list, UTC first. */
export function timeZoneChoices(): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...all.filter((z) => z !== 'UTC')];
}
