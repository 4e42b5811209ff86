/**
 * Walking the alerts table from the keyboard and the flyout: the row the cursor is on, and where "next" and
 * "previous" lead from an alert, on this page or across a page edge.
 */

/** The row the analyst is on: its alert, and where it was on the page (kept when the alert leaves the page). */
export interface RowCursor {
  id: string | null;
  index: number;
  /** Whether the keyboard moved it (the table scrolls the row into view) or a click did. */
  byKeyboard: boolean;
}

/** A tiny store for the cursor, so that moving it re-renders the table only. */
export interface RowCursorStore {
  get: () => RowCursor;
  set: (cursor: RowCursor) => void;
  subscribe: (listener: () => void) => () => void;
}

export function createRowCursorStore(): RowCursorStore {
  let cursor: RowCursor = { id: null, index: -1, byKeyboard: false };
  const listeners = new Set<() => void>();
  return {
    get: () => cursor,
    set: (next) => {
      if (next.id === cursor.id && next.index === cursor.index && next.byKeyboard === cursor.byKeyboard) return;
      cursor = next;
      for (const listener of listeners) listener();
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type Direction = 'next' | 'previous';

/** Where a step leads: an alert of this page, the first or last alert of another page, or nowhere, and why. */
export type Step =
  | { kind: 'alert'; id: string; index: number }
  | { kind: 'page'; page: number; pick: 'first' | 'last' }
  | { kind: 'none'; reason: string };

export interface StepInput {
  /** The page's alert ids in the table's order. */
  ids: readonly string[];
  /** The alert to step from; null to start at the page's first row. */
  from: string | null;
  cursor: RowCursor;
  page: number;
  /** The last page there is (1 when everything fits on one). */
  lastPage: number;
}

/** The last page of `total` alerts at `size` a page. */
export function lastPageOf(total: number, size: number): number {
  return Math.max(1, Math.ceil(total / size));
}

/**
 * One step from `from`. An alert that left the page (acknowledged under a filter of open alerts) steps from
 * where it was: the alert that took its place is next.
 */
export function stepFrom({ ids, from, cursor, page, lastPage }: StepInput, direction: Direction): Step {
  let target: number;
  if (from === null) {
    if (ids.length === 0) return { kind: 'none', reason: 'No alerts on this page' };
    target = 0;
  } else {
    const index = ids.indexOf(from);
    if (index >= 0) target = direction === 'next' ? index + 1 : index - 1;
    else if (cursor.id === from && cursor.index >= 0) target = direction === 'next' ? cursor.index : cursor.index - 1;
    else return { kind: 'none', reason: "This alert is not on the table's current page" };
  }
  if (target >= 0 && target < ids.length) return { kind: 'alert', id: ids[target] ?? '', index: target };
  if (target >= ids.length) {
    return page < lastPage ? { kind: 'page', page: page + 1, pick: 'first' } : { kind: 'none', reason: 'This is the last alert of the list' };
  }
  return page > 1 ? { kind: 'page', page: page - 1, pick: 'last' } : { kind: 'none', reason: 'This is the first alert of the list' };
}

/** What the flyout's previous/next buttons show and do. */
export interface FlyoutNavigation {
  /** Why the button is disabled, or null when it works. */
  previousDisabled: string | null;
  nextDisabled: string | null;
  /** Said in the enabled button's tooltip, e.g. "on page 2". */
  previousHint: string | null;
  nextHint: string | null;
  onStep: (direction: Direction) => void;
}
