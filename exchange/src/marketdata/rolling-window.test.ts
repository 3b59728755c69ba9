import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Trade } from '../domain/events.ts';
import { KLINE_INTERVALS, zonedKlineCloseTime, zonedKlineOpenTime } from './kline-intervals.ts';
import { LiveKlines } from './klines.ts';
import { minuteWindowStart, RollingStats } from './rolling-stats.ts';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 2, 1, 5, 17);

/** Trades in time order over about two days, some in the same millisecond. */
const trades = fc
  .array(
    fc.record({
      gapMs: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 1, max: 50_000 }),
        fc.integer({ min: 1, max: 3 * HOUR }),
      ),
      price: fc.integer({ min: 1, max: 1_000 }),
      quantity: fc.integer({ min: 1, max: 1_000 }),
      takerBuys: fc.boolean(),
    }),
    { minLength: 1, maxLength: 120 },
  )
  .map((rows) => {
    let ts = START;
    return rows.map((row, i): Trade => {
      ts += row.gapMs;
      return {
        type: 'Trade',
        seq: i + 1,
        ts,
        symbol: 'BTCUSDT',
        tradeId: i + 1,
        aggTradeId: i + 1,
        price: row.price,
        quantity: row.quantity,
        quoteQuantity: row.price * row.quantity,
        makerOrderId: 1,
        makerUserId: 1,
        takerOrderId: 2,
        takerUserId: 2,
        takerSide: row.takerBuys ? 'BUY' : 'SELL',
        takerFee: 0,
        makerFee: 0,
        takerExecutedQty: row.quantity,
        makerExecutedQty: row.quantity,
      };
    });
  });

/** The oracle: the trades themselves, summed over [from, to]. */
function summed(all: readonly Trade[], from: number, to: number) {
  const within = all.filter((t) => t.ts >= from && t.ts <= to);
  if (within.length === 0) return undefined;
  return {
    open: within[0]!.price,
    high: Math.max(...within.map((t) => t.price)),
    low: Math.min(...within.map((t) => t.price)),
    last: within.at(-1)!.price,
    volume: within.reduce((s, t) => s + t.quantity, 0),
    quoteVolume: within.reduce((s, t) => s + t.quoteQuantity, 0),
    firstId: within[0]!.tradeId,
    lastId: within.at(-1)!.tradeId,
    count: within.length,
  };
}

describe('rolling window tickers and zoned live klines', () => {
  it('a window ticker sums exactly the trades from the minute `window` before now up to now', () => {
    fc.assert(
      fc.property(
        trades,
        fc.integer({ min: 0, max: 2 * HOUR }),
        fc.constantFrom(HOUR, 4 * HOUR, 24 * HOUR),
        (all, afterMs, windowMs) => {
          const stats = new RollingStats('BTCUSDT', 100_000_000);
          for (const t of all) stats.add(t);
          const now = all.at(-1)!.ts + afterMs;
          const ticker = stats.window(now, windowMs);
          const from = minuteWindowStart(now, windowMs);
          assert.equal(ticker.openTime, from);
          assert.equal(ticker.closeTime, now);
          const want = summed(all, from, now);
          const got = {
            open: ticker.open,
            high: ticker.high,
            low: ticker.low,
            last: ticker.last,
            volume: ticker.volume,
            quoteVolume: ticker.quoteVolume,
            firstId: ticker.firstId,
            lastId: ticker.lastId,
            count: ticker.count,
          };
          if (want === undefined) {
            assert.deepEqual(got, {
              open: 0,
              high: 0,
              low: 0,
              last: 0,
              volume: 0,
              quoteVolume: 0,
              firstId: -1,
              lastId: -1,
              count: 0,
            });
          } else assert.deepEqual(got, want);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the latest candle of every interval, in UTC and in +08:00, holds exactly the trades of its bucket', () => {
    const zone = 8 * HOUR;
    fc.assert(
      fc.property(trades, (all) => {
        const klines = new LiveKlines('BTCUSDT', [zone]);
        for (const t of all) klines.add(t);
        const last = all.at(-1)!.ts;
        for (const offsetMs of [0, zone]) {
          for (const interval of KLINE_INTERVALS) {
            const kline = klines.latest(interval, offsetMs)!;
            const openTime = zonedKlineOpenTime(last, interval, offsetMs);
            assert.equal(kline.openTime, openTime, `${interval} ${offsetMs}`);
            assert.equal(kline.closeTime, zonedKlineCloseTime(openTime, interval, offsetMs));
            const want = summed(all, kline.openTime, kline.closeTime)!;
            assert.deepEqual(
              [kline.open, kline.high, kline.low, kline.close, kline.volume, kline.count, kline.firstTradeId],
              [want.open, want.high, want.low, want.last, want.volume, want.count, want.firstId],
              `${interval} ${offsetMs}`,
            );
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});
