import { describe, expect, it } from 'vitest';
import { BodyBudget, TurnRefused, Turns } from './admission';

describe('BodyBudget', () => {
  it('holds at most maxBodies bodies, and frees a place on release (once)', () => {
    const budget = new BodyBudget(2, 1000);
    const a = budget.admit();
    const b = budget.admit();
    expect(a).not.toBeNull();
    expect(b).not.toBeNull();
    expect(budget.admit()).toBeNull();
    a?.release();
    a?.release();
    expect(budget.state.bodies).toBe(1);
    expect(budget.admit()).not.toBeNull();
    expect(budget.admit()).toBeNull();
  });

  it('holds at most maxBytes of bodies, but lets one body alone take more', () => {
    const budget = new BodyBudget(4, 100);
    const alone = budget.admit();
    expect(alone?.grow(500)).toBe(true);
    const second = budget.admit();
    expect(second?.grow(1)).toBe(false);
    alone?.release();
    expect(second?.grow(60)).toBe(true);
    const third = budget.admit();
    expect(third?.grow(40)).toBe(true);
    expect(third?.grow(41)).toBe(false);
    expect(budget.state).toEqual({ bodies: 2, bytes: 100 });
    second?.release();
    third?.release();
    expect(budget.state).toEqual({ bodies: 0, bytes: 0 });
  });

  it('a released hold cannot grow', () => {
    const budget = new BodyBudget(1, 100);
    const hold = budget.admit();
    hold?.release();
    expect(hold?.grow(10)).toBe(false);
    expect(budget.state.bytes).toBe(0);
  });
});

describe('Turns', () => {
  it('gives turns in arrival order, and passes a released turn to the next waiter', async () => {
    const turns = new Turns(1);
    const first = await turns.acquire({ waitMs: 10_000 });
    const order: string[] = [];
    const second = turns.acquire({ waitMs: 10_000 }).then((r) => (order.push('second'), r));
    const third = turns.acquire({ waitMs: 10_000 }).then((r) => (order.push('third'), r));
    expect(turns.state).toEqual({ busy: 1, waiting: 2 });
    first();
    first(); // a second release does nothing
    (await second)();
    (await third)();
    expect(order).toEqual(['second', 'third']);
    expect(turns.state).toEqual({ busy: 0, waiting: 0 });
  });

  it('a waiter leaves the queue at its deadline, without a turn', async () => {
    const turns = new Turns(1);
    const held = await turns.acquire({ waitMs: 10_000 });
    await expect(turns.acquire({ waitMs: 20 })).rejects.toEqual(new TurnRefused('timeout'));
    expect(turns.state).toEqual({ busy: 1, waiting: 0 });
    held();
    expect(turns.state.busy).toBe(0);
  });

  it('a waiter that gives up leaves the queue at once, and never takes a turn', async () => {
    const turns = new Turns(1);
    const held = await turns.acquire({ waitMs: 10_000 });
    const gone = new AbortController();
    const waiting = turns.acquire({ waitMs: 10_000, signal: gone.signal });
    gone.abort();
    await expect(waiting).rejects.toEqual(new TurnRefused('aborted'));
    expect(turns.state).toEqual({ busy: 1, waiting: 0 });
    held();
    expect(turns.state.busy).toBe(0);
    await expect(turns.acquire({ waitMs: 10, signal: gone.signal })).rejects.toEqual(new TurnRefused('aborted'));
  });
});
