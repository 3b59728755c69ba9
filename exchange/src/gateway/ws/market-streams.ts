import type { Amount } from '../../domain/amount.ts';
import { AVG_PRICE_MINS } from '../../domain/symbol-filters.ts';
import type { KlineInterval } from '../../marketdata/kline-intervals.ts';
import type { MarketData, MarketInfo, MarketUpdate } from '../../marketdata/market-data.ts';
import type { PriceLevelRow, WindowTicker } from '../../marketdata/market-data-view.ts';
import {
  aggTradePayload,
  averagePricePayload,
  bookTickerPayload,
  depthUpdatePayload,
  klinePayload,
  miniTickerPayload,
  partialDepthPayload,
  tickerPayload,
  tradePayload,
  windowTickerPayload,
} from './market-payloads.ts';
import type { StreamHub } from './stream-hub.ts';
import { type MarketStream, TICKER_WINDOWS_MS } from './stream-names.ts';

/** What decides whether a window ticker changed: everything but its times. */
function windowTickerKey(t: WindowTicker): string {
  return `${t.count}:${t.firstId}:${t.lastId}:${t.open}:${t.high}:${t.low}:${t.last}:${t.volume}:${t.quoteVolume}`;
}
const EMPTY_WINDOW_KEY = '0:-1:-1:0:0:0:0:0:0';

/**
 * Changes to one symbol's book since the last diff of one stream speed. Quantities are absolute, so a
 * level changed many times in the window appears once with its latest quantity.
 *
 * Changes are only gathered while someone listens. That is still exact for Binance's procedure: a
 * client subscribes before it fetches its snapshot, so whatever happened before it subscribed is in
 * the snapshot, and the first diff it keeps (U <= lastUpdateId + 1 <= u) carries all that came after.
 */
class DiffWindow {
  readonly symbol: string;
  /** U of the next diff: one past the u of the last one sent (or dropped unheard). */
  firstUpdateId: number;
  readonly bids = new Map<Amount, Amount>();
  readonly asks = new Map<Amount, Amount>();

  constructor(symbol: string, firstUpdateId: number) {
    this.symbol = symbol;
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
  /** The same windows by symbol: every depth stream of a symbol (@depth, @depth@100ms, @depth@1000ms). */
  private readonly diffsBySymbol = new Map<string, Set<DiffWindow>>();
  /** What each `!ticker_<window>@arr` last sent per symbol, to send only the tickers that changed. */
  private readonly windowTickersSent = new Map<string, Map<string, string>>();
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
    this.publishWindowTickers(now);
    this.publishAveragePrices(now);
    this.publishKlines(now);
  }

  /**
   * Called when a client subscribes to a stream. A depth stream nobody listened to starts its diff
   * window at the next command, so the subscriber's first diff has U <= snapshot + 1.
   */
  subscribed(name: string, stream: MarketStream): void {
    if (stream.kind === 'depth' && !this.diffs.has(name)) {
      const window = new DiffWindow(stream.symbol, this.data.lastUpdateId + 1);
      this.diffs.set(name, window);
      let windows = this.diffsBySymbol.get(stream.symbol);
      if (windows === undefined) {
        windows = new Set();
        this.diffsBySymbol.set(stream.symbol, windows);
      }
      windows.add(window);
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
        const windows = this.diffsBySymbol.get(change.symbol);
        if (windows !== undefined) for (const window of windows) window.merge(change.bids, change.asks);
      }
    }
  }

  private flushDiffs(speedMs: 100 | 1000, now: number): void {
    const lastUpdateId = this.data.lastUpdateId;
    for (const [name, window] of this.diffs) {
      const topic = this.hub.topic(name);
      if (topic === undefined) {
        this.diffs.delete(name);
        this.diffsBySymbol.get(window.symbol)?.delete(window);
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
   * Rolling window tickers, every second: each `<symbol>@ticker_<window>` listened to, and in each
   * `!ticker_<window>@arr` the symbols whose window changed since that stream last sent them (a trade
   * in it, or one leaving it), as Binance sends only the tickers that changed.
   */
  private publishWindowTickers(now: number): void {
    for (const [name, topic] of this.hub.active()) {
      const stream = topic.stream;
      if (stream.kind === 'windowTicker') {
        const market = this.data.market(stream.symbol)!;
        const ticker = this.data.windowTicker(stream.symbol, now, TICKER_WINDOWS_MS[stream.window])!;
        this.hub.publishJson(
          topic,
          name,
          JSON.stringify(windowTickerPayload(market, stream.window, ticker, now)),
        );
      } else if (stream.kind === 'allWindowTickers') {
        let sent = this.windowTickersSent.get(name);
        if (sent === undefined) {
          sent = new Map();
          this.windowTickersSent.set(name, sent);
        }
        const changed: Record<string, unknown>[] = [];
        for (const symbol of this.data.symbols()) {
          const ticker = this.data.windowTicker(symbol, now, TICKER_WINDOWS_MS[stream.window])!;
          const key = windowTickerKey(ticker);
          if ((sent.get(symbol) ?? EMPTY_WINDOW_KEY) === key) continue;
          sent.set(symbol, key);
          changed.push(windowTickerPayload(this.data.market(symbol)!, stream.window, ticker, now));
        }
        if (changed.length > 0) this.hub.publishJson(topic, name, JSON.stringify(changed));
      }
    }
    for (const name of this.windowTickersSent.keys())
      if (!this.hub.has(name)) this.windowTickersSent.delete(name);
  }

  /** `<symbol>@avgPrice`, every second, once the symbol has traded: the 5-minute average of avgPrice. */
  private publishAveragePrices(now: number): void {
    for (const [name, topic] of this.hub.active()) {
      const stream = topic.stream;
      if (stream.kind !== 'avgPrice') continue;
      const average = this.data.averagePrice(stream.symbol, now, AVG_PRICE_MINS)!;
      if (average.closeTime === 0) continue;
      const market = this.data.market(stream.symbol)!;
      this.hub.publishJson(
        topic,
        name,
        JSON.stringify(averagePricePayload(market, AVG_PRICE_MINS, average, now)),
      );
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
      const latest = klines.latest(stream.interval, stream.offsetMs);
      if (latest === undefined) continue;
      let mark = this.klineMarks.get(name);
      if (mark === undefined) {
        mark = { openTime: -1, lastTradeId: -1, closedSent: false };
        this.klineMarks.set(name, mark);
      }
      if (mark.openTime !== latest.openTime && mark.openTime !== -1 && !mark.closedSent) {
        const before = klines.before(stream.interval, stream.offsetMs);
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
