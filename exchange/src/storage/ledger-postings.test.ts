import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { BalanceChanged, BalanceReason } from '../domain/events.ts';
import { postingsOf } from './ledger-postings.ts';

function change(reason: BalanceReason, availableDelta: number, lockedDelta: number): BalanceChanged {
  return {
    type: 'BalanceChanged',
    seq: 1,
    ts: 0,
    userId: 7,
    asset: 'BTC',
    availableDelta,
    lockedDelta,
    available: 0,
    locked: 0,
    reason,
  };
}

const sum = (postings: readonly { amount: number }[]) => postings.reduce((s, p) => s + p.amount, 0);

it('balances a deposit against the external account', () => {
  assert.deepEqual(postingsOf(change('DEPOSIT', 500, 0)), [
    { userId: 7, account: 'available', amount: 500 },
    { userId: 7, account: 'external', amount: -500 },
  ]);
});

it('balances a completed withdrawal against the external account', () => {
  const postings = postingsOf(change('WITHDRAWAL_COMPLETE', 0, -300));
  assert.deepEqual(postings, [
    { userId: 7, account: 'locked', amount: -300 },
    { userId: 7, account: 'external', amount: 300 },
  ]);
});

it('moves locks between available and locked without touching external', () => {
  for (const reason of ['ORDER_LOCK', 'ORDER_RELEASE', 'WITHDRAWAL_LOCK', 'WITHDRAWAL_FAIL'] as const) {
    const postings = postingsOf(change(reason, -40, 40));
    assert.equal(postings.length, 2, reason);
    assert.equal(sum(postings), 0, reason);
  }
});

it('posts trade and fee deltas alone, to balance across the command', () => {
  assert.deepEqual(postingsOf(change('TRADE', 0, -10)), [{ userId: 7, account: 'locked', amount: -10 }]);
  assert.deepEqual(postingsOf(change('FEE', -1, 0)), [{ userId: 7, account: 'available', amount: -1 }]);
  assert.deepEqual(postingsOf(change('TRADE', 0, 0)), []);
});
