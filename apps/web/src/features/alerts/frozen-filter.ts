/**
 * The set a "select all N" names. Loaded when the analyst asks for it: date math (and moment under it) stays out of
 * the first screen's code.
 */
import type { AlertFilter } from '@execwatch/api';
import { resolveRange } from '../../lib/time-range';
import { toAlertFilter, type AlertsViewState } from './alerts-view-state';

/** The view's filter with its relative time range resolved at `at` (when the rows on screen were fetched). */
export function frozenFilter(state: AlertsViewState, at: number): AlertFilter {
  const filter = toAlertFilter(state);
  const range = resolveRange(state.from, state.to, new Date(at > 0 ? at : Date.now()));
  return range ? { ...filter, from: new Date(range.fromMs).toISOString(), to: new Date(range.toMs).toISOString() } : filter;
}
