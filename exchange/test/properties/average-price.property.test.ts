import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AVG_PRICE_MINS } from '../../src/domain/symbol-filters.ts';
import { AveragePriceWindow } from '../../src/engine/average-price.ts';
import { RollingStats } from '../../src/marketdata/rolling-stats.ts';

const BASE_SCALE = 10 ** 8;

/**
 * The engine values MARKET orders at its own average price, and /api/v3/avgPrice (and order/test)
 * read market data's: both must be the same figure at every instant, from the same trades.
 */
describe('the average price', () => {
  it("is the engine's and market data's alike, at any time after any trades", () => {
    const step = fc.record({
      gapMs: fc.oneof(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 400_000 })),
      price: fc.integer({ min: 1, max: 10_000_000 }).map((p) => p * 10_000),
      quantity: fc.integer({ min: 1, max: 100_000 }).map((q) => q * 10_000),
      probeMs: fc.integer({ min: 0, max: 420_000 }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2e12 }), fc.array(step, { maxLength: 60 }), (start, steps) => {
        const engine = new AveragePriceWindow(AVG_PRICE_MINS);
        const restored = new AveragePriceWindow(AVG_PRICE_MINS);
        const stats = new RollingStats('BTCUSDT', BASE_SCALE);
        let ts = start;
        let tradeId = 1;
        for (const { gapMs, price, quantity, probeMs } of steps) {
          ts += gapMs;
          const quote = Math.floor((price * quantity) / BASE_SCALE);
          engine.add(ts, price, quantity, quote);
          stats.add({ tradeId: tradeId++, price, quantity, quoteQuantity: quote, ts });
          restored.restore(JSON.parse(JSON.stringify(engine.save())));
          for (const now of [ts, ts + probeMs]) {
            const expected = stats.averagePrice(now, AVG_PRICE_MINS).price;
            assert.equal(engine.price(now, BASE_SCALE), expected);
            assert.equal(restored.price(now, BASE_SCALE), expected);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
