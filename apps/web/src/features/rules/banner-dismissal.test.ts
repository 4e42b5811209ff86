import { describe, expect, it } from 'vitest';
import type { Execution } from '@execwatch/api';
import { addDismissed, disabledKey, problemsKey, readDismissed, type DismissalStorage } from './banner-dismissal';

function memory(): DismissalStorage {
  const data = new Map<string, string>();
  return { getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

const failed = (id: string) => ({ id }) as Execution; // only the id takes part in the key

describe('banner dismissals', () => {
  it('last the session and survive a reload of the page', () => {
    const storage = memory();
    const dismissed = addDismissed(storage, readDismissed(storage), 'a');
    expect(dismissed.has('a')).toBe(true);
    expect(readDismissed(storage).has('a')).toBe(true);
  });

  it('come back when the problem changes', () => {
    const gap = { from: '2026-01-01T09:00:00Z', to: '2026-01-01T09:30:00Z' };
    const one = problemsKey('r', { failed: [failed('e1')], gaps: [gap] });
    expect(problemsKey('r', { failed: [failed('e1')], gaps: [gap] })).toBe(one);
    expect(problemsKey('r', { failed: [failed('e1'), failed('e2')], gaps: [gap] })).not.toBe(one);
    expect(problemsKey('r', { failed: [failed('e1')], gaps: [] })).not.toBe(one);
    expect(disabledKey({ rule_id: 'r', version: 1 })).not.toBe(disabledKey({ rule_id: 'r', version: 2 }));
  });

  it('read nothing from storage that holds garbage', () => {
    const storage = memory();
    storage.setItem('execwatch.ruleBanners.dismissed', '{not json');
    expect(readDismissed(storage).size).toBe(0);
    expect(readDismissed(null).size).toBe(0);
  });
});
