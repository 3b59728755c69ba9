import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Side } from '../domain/market.ts';
import { BookSide } from './book-side.ts';
import { RestingOrder } from './order.ts';

/** Random adds and removes over many prices (so chunks split and empty), against a plain sorted list. */
describe('BookSide', () => {
  for (const side of ['BUY', 'SELL'] as const) {
    it(`keeps ${side} levels sorted best first, whatever the order of adds and removes`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 600 })), {
            minLength: 1,
            maxLength: 1500,
            size: 'max',
          }),
          (steps) => {
            const book = new BookSide(side);
            const resting: RestingOrder[] = [];
            let nextId = 1;
            // Three adds for each remove, so the side grows to hundreds of levels and chunks split.
            for (const [roll, pick] of steps) {
              if (roll > 0 || resting.length === 0) {
                const order = restingAt(side, pick * 100, nextId++);
                book.add(order);
                resting.push(order);
              } else {
                const [order] = resting.splice(pick % resting.length, 1);
                book.remove(order!);
              }
            }
            const expected = [...new Set(resting.map((o) => o.price))].sort((a, b) =>
              side === 'BUY' ? b - a : a - b,
            );
            const actual = [...book.levelsFromBest()].map((l) => l.price);
            assert.deepEqual(actual, expected);
            assert.equal(book.levelCount(), expected.length);
            if (steps.length === 1500) assert.ok(expected.length > 64, 'a full run spans several chunks');
            assert.equal(book.best()?.price, expected[0]);
            for (const level of book.levelsFromBest()) {
              const ids: number[] = [];
              for (let o = level.head; o !== null; o = o.next) ids.push(o.orderId);
              const fifo = resting
                .filter((o) => o.price === level.price)
                .map((o) => o.orderId)
                .sort((a, b) => a - b);
              assert.deepEqual(ids, fifo, 'time priority within a level');
            }
          },
        ),
        { numRuns: 40 },
      );
    });
  }
});

function restingAt(side: Side, price: number, orderId: number): RestingOrder {
  return new RestingOrder(orderId, 1, side, price, 10, `c${orderId}`, 'NONE', 0, 'BTCUSDT', true);
}
