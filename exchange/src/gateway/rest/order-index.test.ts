import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { OrderAccepted, OrderCanceled } from '../../domain/events.ts';
import { OrderIndex } from './order-index.ts';

const accepted = (orderId: number): OrderAccepted => ({
  type: 'OrderAccepted',
  seq: orderId * 2 - 1,
  ts: 1_000 + orderId,
  orderId,
  userId: 7,
  symbol: 'BTCUSDT',
  side: 'BUY',
  orderType: 'LIMIT',
  timeInForce: 'GTC',
  price: 6_000_000_000,
  quantity: 1_000_000,
  quoteOrderQty: 0,
  clientOrderId: `c${orderId}`,
  stpMode: 'NONE',
  stopPrice: 0,
  trailingDelta: 0,
});

const canceled = (orderId: number): OrderCanceled => ({
  type: 'OrderCanceled',
  seq: orderId * 2,
  ts: 2_000 + orderId,
  orderId,
  userId: 7,
  symbol: 'BTCUSDT',
  clientOrderId: `c${orderId}`,
  executedQty: 0,
  cumulativeQuoteQty: 0,
  reason: 'USER',
});

it('keeps the last orders that ended, up to its capacity, forgetting the one that ended first', () => {
  const index = new OrderIndex(3);
  for (const orderId of [1, 2, 3, 4, 5, 6]) index.apply([accepted(orderId)]);
  // Ended out of id order: eviction follows when they ended, not their ids.
  for (const orderId of [4, 1, 5, 2, 3]) index.apply([canceled(orderId)]);

  assert.equal(index.get(4), undefined);
  assert.equal(index.get(1), undefined);
  for (const orderId of [5, 2, 3]) {
    const row = index.get(orderId);
    assert.equal(row?.status, 'CANCELED');
    assert.equal(row?.updatedSeq, orderId * 2);
    assert.equal(row?.version, 2);
  }
  // Open orders are never evicted.
  assert.equal(index.get(6)?.status, 'NEW');
});

it('keeps evicting in end order long after the ring has wrapped', () => {
  const index = new OrderIndex(4);
  for (let orderId = 1; orderId <= 50; orderId++) index.apply([accepted(orderId), canceled(orderId)]);
  const remembered = [];
  for (let orderId = 1; orderId <= 50; orderId++)
    if (index.get(orderId) !== undefined) remembered.push(orderId);
  assert.deepEqual(remembered, [47, 48, 49, 50]);
});

it('refuses a capacity that is not a positive integer', () => {
  assert.throws(() => new OrderIndex(0), RangeError);
  assert.throws(() => new OrderIndex(1.5), RangeError);
});
