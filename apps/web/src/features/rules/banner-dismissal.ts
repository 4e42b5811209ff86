import type { Rule } from '@execwatch/api';
import type { ExecutionProblems } from './execution-problems';

const STORAGE_KEY = 'execwatch.ruleBanners.dismissed';

/** The storage part of `window.sessionStorage` the dismissals need. */
export type DismissalStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** Banners dismissed in this browser session, by the key of the problem they showed. */
export function readDismissed(storage: DismissalStorage | null): Set<string> {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return new Set(Array.isArray(parsed) ? parsed.filter((k): k is string => typeof k === 'string') : []);
  } catch {
    return new Set();
  }
}

/** Remembers a dismissal for the session; answers the new set. Only the latest 50 are kept. */
export function addDismissed(storage: DismissalStorage | null, dismissed: ReadonlySet<string>, key: string): Set<string> {
  const next = new Set([...dismissed, key]);
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify([...next].slice(-50)));
  } catch {
    // Without storage the banner stays dismissed until the page is reloaded.
  }
  return next;
}

/**
 * What a rule's problem banner shows, as a key: another failed run or another gap is a new problem, and brings
 * a dismissed banner back; a gap filled since does too, as the banner then says less.
 */
export function problemsKey(ruleId: string, problems: ExecutionProblems): string {
  const failed = problems.failed.map((e) => e.id).sort().join(',');
  const gaps = problems.gaps.map((g) => `${g.from}/${g.to}`).sort().join(',');
  return `problems|${ruleId}|${failed}|${gaps}`;
}

/** The key of a rule's "disabled" banner: disabling it again after a change of its definition brings it back. */
export function disabledKey(rule: Pick<Rule, 'rule_id' | 'version'>): string {
  return `disabled|${rule.rule_id}|${rule.version}`;
}

/** `window.sessionStorage`, or null where the browser refuses it. */
export function sessionStore(): DismissalStorage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}
