import { expect, test } from 'vitest';
import { createEditBudget } from '../../src/bot/conversation/edit-budget.js';

test('a burst of optional edits passes, then one per refill interval', () => {
  let now = 0;
  const budget = createEditBudget({ perMinute: 50, burst: 3, now: () => now });
  expect([budget.tryTake(), budget.tryTake(), budget.tryTake(), budget.tryTake()]).toEqual([
    true,
    true,
    true,
    false,
  ]);
  now += 1199; // 50 per minute = one token per 1.2 s
  expect(budget.tryTake()).toBe(false);
  now += 1;
  expect(budget.tryTake()).toBe(true);
  now += 60_000;
  expect([budget.tryTake(), budget.tryTake(), budget.tryTake(), budget.tryTake()]).toEqual([
    true,
    true,
    true,
    false,
  ]);
});

test('final edits are always counted, and optional ones wait until they are paid for', () => {
  let now = 0;
  const budget = createEditBudget({ perMinute: 60, burst: 1, now: () => now });
  budget.take();
  budget.take();
  budget.take(); // two below zero
  now += 2000;
  expect(budget.tryTake()).toBe(false);
  now += 1000;
  expect(budget.tryTake()).toBe(true);
});
