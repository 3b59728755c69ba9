import type { Amount } from '../../domain/amount.ts';
import type { KlineInterval } from '../../marketdata/kline-intervals.ts';
import type { MarketData, MarketInfo, MarketUpdate } from '../../marketdata/market-data.ts';
import type { PriceLevelRow } from '../../marketdata/market-data-view.ts';
import {
  aggTradePayload,
  bookTickerPayload,
  depthUpdatePayload,
  klinePayload,
  miniTickerPayload,
  partialDepthPayload,
  tickerPayload,
  tradePayload,
} from './market-payloads.ts';
import type { StreamHub } from './stream-hub.ts';
import type { MarketStream } from './stream-names.ts';

/**
 * Changes to one symbol's book since the last diff of one stream speed. Quantities are absolute, so a
 * level changed many times in the window appears once with its latest quantity.
 *
 * Changes are only gathered while someone listens. That is still exact for Binance's procedure: a
 * client subscribes before it fetches its snapshot, so whatever happened before it subscribed is in
 * the snapshot, and the first diff it keeps (U <= lastUpdateId + 1 <= u) carries all that came after.
 */
class DiffWindow {
  /** U of the next diff: one past the u of the last one sent (or dropped unheard). */
  firstUpdateId: number;
  readonly bids = new Map<Amount, Amount>();
  readonly asks = new Map<Amount, Amount>();

  constructor(firstUpdateId: number) {
    this.firstUpdateId = firstUpdateId;
  }

  merge(bids: readonly PriceLevelRow[], asks: readonly PriceLevelRow[]): void {
    for (const [price, quantity] of bids) this.bids.set(price, quantity);
    for (const [price, quantity] of asks) this.asks.set(price, quantity);
  }

  get empty(): boolean {
    return this.bids.size === 0 && this.asks.size === 0;
  }

  clear(nextFirstUpdateId: number): void {
    this.bids.clear();
    this.asks.clear();
    this.firstUpdateId = nextFirstUpdateId;
  }
}

export interface MarketStreamsOptions {
  /** The time put in payloads' E fields. @default Date.now */
  readonly clock?: () => number;
}

/** Where the last kline push of a stream stood, to push each change once and each close once. */
interface KlineMark {
  openTime: number;
  lastTradeId: number;
  closedSent: boolean;
}

/**
 * Turns market-data updates into Binance's market streams: trades, aggregate trades and book tickers
 * as they happen; depth diffs every 100 ms or 1000 ms; partial depth, tickers and klines on timers,
 * and only for streams someone listens to.
 */
export class MarketStreams {
  private readonly data: MarketData;
  private readonly hub: StreamHub<MarketStream>;
  private readonly clock: () => number;
  private readonly diffs = new Map<string, DiffWindow>();
  private readonly changedTickers = new Set<string>();
  private readonly klineMarks = new Map<string, KlineMark>();
  private readonly timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | undefined;
  private ticks = 0;

  constructor(data: MarketData, hub: StreamHub<MarketStream>, options: MarketStreamsOptions = {}) {
    this.data = data;
    this.hub = hub;
    this.clock = options.clock ?? Date.now;
  }

  start(): void {
    this.unsubscribe = this.data.subscribe((update) => this.onUpdate(update));
    const fast = setInterval(() => this.tick(), 100);
    fast.unref();
    this.timers.push(fast);
  }

  stop(): void {
    this.unsubscribe?.();
    for (const timer of this.timers) clearInterval(timer);
    this.timers.length = 0;
  }

  /** Every 100 ms; every tenth tick is also the 1000 ms tick. */
  tick(): void {
    this.ticks++;
    const now = this.clock();
    const slow = this.ticks % 10 === 0;
    this.flushDiffs(100, now);
    this.publishPartialDepth(100);
    if (!slow) return;
    this.flushDiffs(1000, now);
    this.publishPartialDepth(1000);
    this.publishTickers(now);
    this.publishKlines(now);
  }

  /**
   * Called when a client subscribes to a stream. A depth stream nobody listened to starts its diff
   * window at the next command, so the subscriber's first diff has U <= snapshot + 1.
   */
  subscribed(name: string, stream: MarketStream): void {
    if (stream.kind === 'depth' && !this.diffs.has(name)) {
      this.diffs.set(name, new DiffWindow(this.data.lastUpdateId + 1));
    }
  }

  private onUpdate(update: MarketUpdate): void {
    const hub = this.hub;
    const now = this.clock();
    for (const change of update.symbols) {
      const market = this.data.market(change.symbol);
      if (market === undefined) continue;
      const lower = change.symbol.toLowerCase();
      if (change.trades.length > 0) {
        this.changedTickers.add(change.symbol);
        const tradeTopic = hub.topic(`${lower}@trade`);
        if (tradeTopic !== undefined) {
          for (const trade of change.trades) {
            hub.publishJson(tradeTopic, `${lower}@trade`, JSON.stringify(tradePayload(market, trade, now)));
          }
        }
        const aggTopic = hub.topic(`${lower}@aggTrade`);
        if (aggTopic !== undefined) {
          for (const agg of change.aggTrades) {
            hub.publishJson(aggTopic, `${lower}@aggTrade`, JSON.stringify(aggTradePayload(market, agg, now)));
          }
        }
      }
      if (change.bookTicker !== undefined) {
        this.changedTickers.add(change.symbol);
        hub.publish(`${lower}@bookTicker`, bookTickerPayload(market, change.bookTicker));
      }
      if (change.bids.length > 0 || change.asks.length > 0) {
        for (const speed of ['@depth@100ms', '@depth'] as const) {
          const name = lower + speed;
          if (!hub.has(name)) continue;
          this.diffs.get(name)?.merge(change.bids, change.asks);
        }
      }
    }
  }

  private flushDiffs(speedMs: 100 | 1000, now: number): void {
    const lastUpdateId = this.data.lastUpdateId;
    for (const [name, window] of this.diffs) {
      const topic = this.hub.topic(name);
      if (topic === undefined) {
        this.diffs.delete(name);
        continue;
      }
      if (topic.stream.kind !== 'depth' || topic.stream.speedMs !== speedMs || window.empty) continue;
      const market = this.data.market(topic.stream.symbol)!;
      const payload = depthUpdatePayload(
        market,
        now,
        window.firstUpdateId,
        lastUpdateId,
        [...window.bids],
        [...window.asks],
      );
      this.hub.publishJson(topic, name, JSON.stringify(payload));
      window.clear(lastUpdateId + 1);
    }
  }

  private publishPartialDepth(speedMs: 100 | 1000): void {
    for (const [name, topic] of this.hub.active()) {
      const stream = topic.stream;
      if (stream.kind !== 'partialDepth' || stream.speedMs !== speedMs) continue;
      const market = this.data.market(stream.symbol)!;
      const depth = this.data.depth(stream.symbol, stream.levels)!;
      this.hub.publishJson(topic, name, JSON.stringify(partialDepthPayload(market, depth)));
    }
  }

  private publishTickers(now: number): void {
    let all: Record<string, unknown>[] | undefined;
    let allMini: Record<string, unknown>[] | undefined;
    const wantAll = this.hub.has('!ticker@arr');
    const wantAllMini = this.hub.has('!miniTicker@arr');
    if (wantAll || wantAllMini) {
      all = [];
      allMini = [];
      for (const symbol of this.changedTickers) {
        const market = this.data.market(symbol)!;
        const ticker = this.data.ticker24h(symbol, now)!;
        if (wantAll) all.push(tickerPayload(market, ticker, this.data.bookTicker(symbol)!, now));
        if (wantAllMini) allMini.push(miniTickerPayload(market, ticker, now));
      }
      if (all.length > 0) this.hub.publish('!ticker@arr', all);
      if (allMini.length > 0) this.hub.publish('!miniTicker@arr', allMini);
    }
    this.changedTickers.clear();
    for (const [name, topic] of this.hub.active()) {
      const stream = topic.stream;
      if (stream.kind !== 'ticker' && stream.kind !== 'miniTicker') continue;
      const market = this.data.market(stream.symbol)!;
      const ticker = this.data.ticker24h(stream.symbol, now)!;
      const payload =
        stream.kind === 'ticker'
          ? tickerPayload(market, ticker, this.data.bookTicker(stream.symbol)!, now)
          : miniTickerPayload(market, ticker, now);
      this.hub.publishJson(topic, name, JSON.stringify(payload));
    }
  }

  /**
   * Pushes a kline when its candle changed since the last push, and once more, with x: true, when the
   * candle closes: at the first tick past its close time, or when a trade opens the next candle.
   */
  private publishKlines(now: number): void {
    for (const [name, topic] of this.hub.active()) {
      const stream = topic.stream;
      if (stream.kind !== 'kline') continue;
      const klines = this.data.klines(stream.symbol)!;
      const market = this.data.market(stream.symbol)!;
      const latest = klines.latest(stream.interval);
      if (latest === undefined) continue;
      let mark = this.klineMarks.get(name);
      if (mark === undefined) {
        mark = { openTime: -1, lastTradeId: -1, closedSent: false };
        this.klineMarks.set(name, mark);
      }
      if (mark.openTime !== latest.openTime && mark.openTime !== -1 && !mark.closedSent) {
        const before = klines.before(stream.interval);
        if (before !== undefined && before.openTime === mark.openTime) {
          this.sendKline(name, market, before, true, now);
        }
      }
      const closed = now > latest.closeTime;
      const changed = mark.openTime !== latest.openTime || mark.lastTradeId !== latest.lastTradeId;
      if (changed || (closed && !mark.closedSent)) {
        this.sendKline(name, market, latest, closed, now);
        mark.openTime = latest.openTime;
        mark.lastTradeId = latest.lastTradeId;
        mark.closedSent = closed;
      }
    }
    for (const name of this.klineMarks.keys()) if (!this.hub.has(name)) this.klineMarks.delete(name);
  }

  private sendKline(
    name: string,
    market: MarketInfo,
    kline: Parameters<typeof klinePayload>[1],
    closed: boolean,
    now: number,
  ): void {
    this.hub.publish(name, klinePayload(market, kline, closed, now));
  }
}

export type { KlineInterval };
