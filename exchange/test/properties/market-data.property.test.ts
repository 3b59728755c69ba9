import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { UnstampedCommand } from '../../src/domain/commands.ts';
import { MarketData, type MarketUpdate } from '../../src/marketdata/market-data.ts';
import type { DepthSnapshot, PriceLevelRow } from '../../src/marketdata/market-data-view.ts';
import { btc, EngineDriver, usdt } from '../support/engine-driver.ts';
import { anyCommand, LOT, TICK } from '../support/random-commands.ts';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 150);

/** Deep books: many users and levels, mostly resting orders, some crossing, some canceled. */
const bookCommand: fc.Arbitrary<UnstampedCommand> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      type: fc.constant('PlaceOrder' as const),
      userId: fc.integer({ min: 1, max: 8 }),
      symbol: fc.constant('BTCUSDT'),
      side: fc.constantFrom('BUY' as const, 'SELL' as const),
      orderType: fc.constant('LIMIT' as const),
      timeInForce: fc.constantFrom('GTC' as const, 'GTC' as const, 'GTC' as const, 'IOC' as const),
      price: fc.integer({ min: -30, max: 30 }).map((offset) => (3_000_000 + offset) * TICK),
      quantity: fc.integer({ min: 1, max: 20 }).map((n) => n * LOT),
      stpMode: fc.constant('NONE' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('CancelOrder' as const),
      userId: fc.integer({ min: 1, max: 8 }),
      symbol: fc.constant('BTCUSDT'),
      orderId: fc.integer({ min: 1, max: 300 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('PlaceOrder' as const),
      userId: fc.integer({ min: 1, max: 8 }),
      symbol: fc.constant('BTCUSDT'),
      side: fc.constantFrom('BUY' as const, 'SELL' as const),
      orderType: fc.constant('MARKET' as const),
      quantity: fc.integer({ min: 1, max: 60 }).map((n) => n * LOT),
    }),
  },
  { weight: 1, arbitrary: anyCommand },
);
const flow = fc.array(bookCommand, { minLength: 1, maxLength: 300, size: 'max' });

function engineDepth(driver: EngineDriver): { bids: PriceLevelRow[]; asks: PriceLevelRow[] } {
  const market = driver.engine.markets.get('BTCUSDT')!;
  const rows = (side: typeof market.bids): PriceLevelRow[] =>
    [...side.levelsFromBest()].map((level) => [level.price, level.totalQuantity]);
  return { bids: rows(market.bids), asks: rows(market.asks) };
}

/** Binance's local book: a map per side, diffs set absolute quantities, 0 deletes. */
class LocalBook {
  readonly bids = new Map<number, number>();
  readonly asks = new Map<number, number>();
  lastUpdateId: number;

  constructor(snapshot: DepthSnapshot) {
    for (const [p, q] of snapshot.bids) this.bids.set(p, q);
    for (const [p, q] of snapshot.asks) this.asks.set(p, q);
    this.lastUpdateId = snapshot.lastUpdateId;
  }

  apply(bids: readonly PriceLevelRow[], asks: readonly PriceLevelRow[], u: number): void {
    for (const [p, q] of bids) q === 0 ? this.bids.delete(p) : this.bids.set(p, q);
    for (const [p, q] of asks) q === 0 ? this.asks.delete(p) : this.asks.set(p, q);
    this.lastUpdateId = u;
  }

  rows(): { bids: PriceLevelRow[]; asks: PriceLevelRow[] } {
    return {
      bids: [...this.bids].sort((a, b) => b[0] - a[0]),
      asks: [...this.asks].sort((a, b) => a[0] - b[0]),
    };
  }
}

function fundedDriver(): EngineDriver {
  const driver = EngineDriver.withMarket({ makerFeePpm: 1_000, takerFeePpm: 2_000 });
  for (let user = 1; user <= 8; user++) {
    driver.deposit(user, 'BTC', btc(5));
    driver.deposit(user, 'USDT', usdt(200_000));
  }
  return driver;
}

function feedAll(driver: EngineDriver, data: MarketData, from: number): void {
  for (const command of driver.log.slice(from)) {
    data.apply(
      driver.events.filter((e) => e.seq === command.seq),
      command.seq,
    );
  }
}

describe('market data mirror over random command flows', () => {
  it('the mirrored book equals the engine book, level by level and order by order, after every command', () => {
    fc.assert(
      fc.property(flow, (commands) => {
        const driver = fundedDriver();
        const data = new MarketData();
        feedAll(driver, data, 0);
        for (const command of commands) {
          const events = driver.send(command);
          data.apply(events, driver.seq);
          const depth = data.depth('BTCUSDT', 10_000)!;
          assert.equal(depth.lastUpdateId, driver.seq);
          assert.deepEqual({ bids: depth.bids, asks: depth.asks }, engineDepth(driver));
          const engineOrders = new Map([...driver.engine.orders.all()].map((o) => [o.orderId, o.remaining]));
          assert.deepEqual(data.book('BTCUSDT')!.remainingByOrder(), engineOrders);
          const top = data.bookTicker('BTCUSDT')!;
          const { bids, asks } = engineDepth(driver);
          assert.deepEqual(
            [top.bidPrice, top.bidQty, top.askPrice, top.askQty],
            [bids[0]?.[0] ?? 0, bids[0]?.[1] ?? 0, asks[0]?.[0] ?? 0, asks[0]?.[1] ?? 0],
          );
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('a snapshot plus every later diff reproduces every later snapshot', () => {
    fc.assert(
      fc.property(flow, fc.nat(300), (commands, snapshotAt) => {
        const driver = fundedDriver();
        const data = new MarketData();
        feedAll(driver, data, 0);
        const updates: MarketUpdate[] = [];
        data.subscribe((update) => updates.push(update));
        let local: LocalBook | undefined;
        commands.forEach((command, index) => {
          if (index === snapshotAt % commands.length) local = new LocalBook(data.depth('BTCUSDT', 10_000)!);
          data.apply(driver.send(command), driver.seq);
          if (local === undefined) return;
          for (const update of updates) {
            if (update.seq <= local.lastUpdateId) continue;
            const symbol = update.symbols.find((s) => s.symbol === 'BTCUSDT');
            if (symbol !== undefined) local.apply(symbol.bids, symbol.asks, update.seq);
          }
          updates.length = 0;
          const later = data.depth('BTCUSDT', 10_000)!;
          assert.deepEqual(local.rows(), { bids: later.bids, asks: later.asks });
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('starting from an engine snapshot mirrors the same book as following from the first command', () => {
    fc.assert(
      fc.property(flow, (commands) => {
        const driver = fundedDriver();
        for (const command of commands) driver.send(command);
        const fromStart = new MarketData();
        feedAll(driver, fromStart, 0);
        const fromSnapshot = MarketData.fromSnapshot(driver.engine.snapshot());
        assert.deepEqual(fromSnapshot.depth('BTCUSDT', 10_000), fromStart.depth('BTCUSDT', 10_000));
        assert.deepEqual(
          fromSnapshot.book('BTCUSDT')!.remainingByOrder(),
          fromStart.book('BTCUSDT')!.remainingByOrder(),
        );
      }),
      { numRuns: RUNS },
    );
  });
});
