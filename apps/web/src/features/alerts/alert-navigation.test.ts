import { describe, expect, it } from 'vitest';
import { createRowCursorStore, lastPageOf, stepFrom, type RowCursor } from './alert-navigation';

const none: RowCursor = { id: null, index: -1, byKeyboard: false };
const ids = ['a', 'b', 'c'];

describe('stepFrom', () => {
  it('walks the page in the table order', () => {
    expect(stepFrom({ ids, from: 'a', cursor: none, page: 1, lastPage: 1 }, 'next')).toEqual({ kind: 'alert', id: 'b', index: 1 });
    expect(stepFrom({ ids, from: 'c', cursor: none, page: 1, lastPage: 1 }, 'previous')).toEqual({ kind: 'alert', id: 'b', index: 1 });
    expect(stepFrom({ ids, from: null, cursor: none, page: 1, lastPage: 1 }, 'next')).toEqual({ kind: 'alert', id: 'a', index: 0 });
  });

  it('crosses a page edge when there is a page beyond it', () => {
    expect(stepFrom({ ids, from: 'c', cursor: none, page: 1, lastPage: 3 }, 'next')).toEqual({ kind: 'page', page: 2, pick: 'first' });
    expect(stepFrom({ ids, from: 'a', cursor: none, page: 2, lastPage: 3 }, 'previous')).toEqual({ kind: 'page', page: 1, pick: 'last' });
  });

  it('says why it stops at the ends of the list', () => {
    expect(stepFrom({ ids, from: 'c', cursor: none, page: 3, lastPage: 3 }, 'next')).toEqual({ kind: 'none', reason: 'This is the last alert of the list' });
    expect(stepFrom({ ids, from: 'a', cursor: none, page: 1, lastPage: 3 }, 'previous')).toEqual({ kind: 'none', reason: 'This is the first alert of the list' });
    expect(stepFrom({ ids: [], from: null, cursor: none, page: 1, lastPage: 1 }, 'next').kind).toBe('none');
  });

  it('steps from where an alert was once it left the page', () => {
    // "b" was acknowledged under a filter of open alerts: "c" took its place.
    const cursor: RowCursor = { id: 'b', index: 1, byKeyboard: true };
    expect(stepFrom({ ids: ['a', 'c'], from: 'b', cursor, page: 1, lastPage: 1 }, 'next')).toEqual({ kind: 'alert', id: 'c', index: 1 });
    expect(stepFrom({ ids: ['a', 'c'], from: 'b', cursor, page: 1, lastPage: 1 }, 'previous')).toEqual({ kind: 'alert', id: 'a', index: 0 });
    expect(stepFrom({ ids: ['a', 'c'], from: 'x', cursor, page: 1, lastPage: 1 }, 'next')).toEqual({ kind: 'none', reason: "This alert is not on the table's current page" });
  });
});

describe('row cursor store', () => {
  it('tells subscribers about changes only', () => {
    const store = createRowCursorStore();
    let calls = 0;
    const unsubscribe = store.subscribe(() => calls++);
    store.set({ id: 'a', index: 0, byKeyboard: true });
    store.set({ id: 'a', index: 0, byKeyboard: true });
    expect(calls).toBe(1);
    expect(store.get().id).toBe('a');
    unsubscribe();
    store.set({ id: 'b', index: 1, byKeyboard: true });
    expect(calls).toBe(1);
  });

  it('counts pages', () => {
    expect(lastPageOf(0, 50)).toBe(1);
    expect(lastPageOf(50, 50)).toBe(1);
    expect(lastPageOf(51, 50)).toBe(2);
  });
});
