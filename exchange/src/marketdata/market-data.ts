import type { Amount } from '../domain/amount.ts';
import type { EngineEvent, OrderAccepted, Trade } from '../domain/events.ts';
import {
  hasLimitPrice,
  isConditionalOrderType,
  type MarketSpec,
  type OrderType,
  type Side,
} from '../domain/market.ts';
import type { EngineSnapshot } from '../engine/snapshot.ts';
import { AggTradeHistory } from './agg-trades.ts';
import { LiveKlines } from './klines.ts';
import type {
  AggTrade,
  AggTradeQuery,
  BookTicker,
  DepthSnapshot,
  MarketDataView,
  PriceLevelRow,
  Ticker24h,
  WindowTicker,
} from './market-data-view.ts';
import { MirrorBook } from './mirror-book.ts';
import { RollingStats, type StatsTrade } from './rolling-stats.ts';

export interface MarketDataOptions {
  /** Aggregate trades kept in memory per symbol for aggTrades queries. @default 100_000 */
  readonly aggTradesPerSymbol?: number;
  /**
   * Time zones, in milliseconds ahead of UTC, whose live candles are kept besides UTC's for the kline
   * streams. @default [28_800_000] (+08:00, the one zone Binance's kline streams take)
   */
  readonly klineTimeZonesMs?: readonly number[];
}

/** +08:00: the time zone Binance's kline streams take (`<symbol>@kline_1d@+08:00`). */
export const BINANCE_KLINE_STREAM_ZONE_MS = 8 * 3_600_000;

/** A listed market and the decimals the gateway needs to format its amounts. */
export interface MarketInfo {
  readonly spec: MarketSpec;
  readonly baseDecimals: number;
  readonly quoteDecimals: number;
}

/** What one command changed on one symbol. */
export interface SymbolUpdate {
  readonly symbol: string;
  /** Changed levels with their new quantities (0: the level is gone); empty when the book did not change. */
  readonly bids: readonly PriceLevelRow[];
  readonly asks: readonly PriceLevelRow[];
  readonly trades: readonly Trade[];
  readonly aggTrades: readonly AggTrade[];
  /** Set when the best bid or ask (price or quantity) changed. */
  readonly bookTicker: BookTicker | undefined;
}

/** One command's market-data changes; its seq is the depth update id of every diff it carries. */
export interface MarketUpdate {
  readonly seq: number;
  readonly ts: number;
  readonly symbols: readonly SymbolUpdate[];
}

export type MarketUpdateListener = (update: MarketUpdate) => void;

class SymbolState {
  readonly info: MarketInfo;
  readonly book = new MirrorBook();
  /** Conditional orders waiting off the book, by id. */
  readonly waiting = new Map<number, WaitingOrder>();
  readonly stats: RollingStats;
  readonly aggTrades: AggTradeHistory;
  readonly klines: LiveKlines;
  bookTicker: BookTicker;
  trades: Trade[] = [];
  closedAggs: AggTrade[] = [];
  touched = false;

  constructor(info: MarketInfo, aggCapacity: number, klineTimeZonesMs: readonly number[]) {
    this.info = info;
    const { symbol } = info.spec;
    this.stats = new RollingStats(symbol, 10 ** info.baseDecimals);
    this.aggTrades = new AggTradeHistory(symbol, aggCapacity);
    this.klines = new LiveKlines(symbol, klineTimeZonesMs);
    this.bookTicker = { symbol, updateId: 0, bidPrice: 0, bidQty: 0, askPrice: 0, askQty: 0 };
  }
}

/** The order matching now: a new order, or a conditional one that a trade triggered. */
interface Taker {
  readonly orderId: number;
  readonly orderType: OrderType;
  readonly side: Side;
  readonly price: Amount;
  readonly quantity: Amount;
  executed: Amount;
  ended: boolean;
}

/** What market data keeps of a conditional order while it waits: what it will match with. */
type WaitingOrder = Pick<OrderAccepted, 'orderId' | 'orderType' | 'side' | 'price' | 'quantity'>;

function takerOf(order: WaitingOrder): Taker {
  const { orderId, orderType, side, price, quantity } = order;
  return { orderId, orderType, side, price, quantity, executed: 0, ended: false };
}

/**
 * Market data projected from the engine's events: a mirror of each book, depth snapshots and diffs,
 * book tickers, rolling 24-hour tickers, average prices, trades, aggregate trades and live candles.
 * It reads nothing but events (and, to start from a snapshot, the snapshot's data), so it works the
 * same in process or fed from a log.
 *
 * `apply` must see every command, in seq order, including those that changed no book: the seq of the
 * last command applied is the depth's lastUpdateId, and depth diffs must cover every seq.
 */
export class MarketData implements MarketDataView {
  private readonly markets = new Map<string, SymbolState>();
  private readonly assetDecimals = new Map<string, number>();
  private readonly listeners = new Set<MarketUpdateListener>();
  private readonly aggCapacity: number;
  private readonly klineTimeZonesMs: readonly number[];
  private applied = 0;
  private lastTs = 0;

  constructor(options: MarketDataOptions = {}) {
    const capacity = options.aggTradesPerSymbol ?? 100_000;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`aggTradesPerSymbol ${capacity} is invalid: use a positive integer`);
    }
    this.aggCapacity = capacity;
    this.klineTimeZonesMs = options.klineTimeZonesMs ?? [BINANCE_KLINE_STREAM_ZONE_MS];
  }

  /**
   * Starts from an engine snapshot's data (markets and resting orders), so a process that recovered its
   * engine from a snapshot can follow on with the commands after it. Trade statistics start empty:
   * `restoreStats` brings back those of the trades before the snapshot.
   */
  static fromSnapshot(snapshot: EngineSnapshot, options: MarketDataOptions = {}): MarketData {
    const data = new MarketData(options);
    for (const asset of snapshot.assets) data.assetDecimals.set(asset.name, asset.decimals);
    for (const market of snapshot.markets) {
      const state = data.list(market.spec);
      for (const order of [...market.bids, ...market.asks]) {
        state.book.rest(order.orderId, order.side, order.price, order.remaining);
      }
      state.book.takeChanges();
      state.bookTicker = data.topOf(state, snapshot.lastSeq);
    }
    for (const order of snapshot.conditionalOrders ?? [])
      data.markets.get(order.symbol)?.waiting.set(order.orderId, order);
    data.applied = snapshot.lastSeq;
    return data;
  }

  /** The seq of the last command applied: every depth snapshot's lastUpdateId. */
  get lastUpdateId(): number {
    return this.applied;
  }

  /** The newest command timestamp seen. */
  get lastEventTs(): number {
    return this.lastTs;
  }

  /** Calls `listener` after each command that changed a book or traded. Returns an unsubscribe. */
  subscribe(listener: MarketUpdateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  symbols(): string[] {
    return [...this.markets.keys()];
  }

  market(symbol: string): MarketInfo | undefined {
    return this.markets.get(symbol)?.info;
  }

  book(symbol: string): MirrorBook | undefined {
    return this.markets.get(symbol)?.book;
  }

  klines(symbol: string): LiveKlines | undefined {
    return this.markets.get(symbol)?.klines;
  }

  /**
   * Where `restoreStats` needs trades from so that every ticker at or after `nowMs` comes out as if
   * this process had seen them: the trades at or after the returned time, and the last one before it.
   */
  statsRestoreFrom(nowMs: number): number {
    return RollingStats.windowStart(nowMs);
  }

  /**
   * Feeds a symbol's 24-hour statistics (ticker, average price) with trades this process did not
   * apply: those up to `lastUpdateId`, read back from storage on a start. Trades go in time order,
   * oldest first, in one call or page by page, before any newer trade of the symbol is applied; they
   * change nothing else (books, trades and klines are not replayed), and nothing is published.
   */
  restoreStats(symbol: string, trades: Iterable<StatsTrade>): void {
    const stats = this.markets.get(symbol)?.stats;
    if (stats === undefined) throw new Error(`restoreStats: market data has no symbol ${symbol}`);
    for (const trade of trades) {
      if (trade.ts < stats.lastTradeTs) {
        throw new Error(
          `restoreStats: trade ${trade.tradeId} of ${symbol} at ${trade.ts} is older than the last one at ${stats.lastTradeTs}: restore oldest first, before live trades`,
        );
      }
      stats.add(trade);
    }
  }

  /** Applies one command's events. */
  apply(events: readonly EngineEvent[], seq: number): void {
    if (!(seq > this.applied))
      throw new Error(`seq ${seq} is not after the last applied seq ${this.applied}`);
    let taker: Taker | undefined;
    let takerState: SymbolState | undefined;
    const touched: SymbolState[] = [];
    const touch = (state: SymbolState) => {
      if (!state.touched) {
        state.touched = true;
        touched.push(state);
      }
    };
    // A limit order that neither filled nor expired by the end of its matching rests with what is
    // left: at the end of the command, or when a triggered order starts matching after it.
    const settleTaker = () => {
      if (taker !== undefined && takerState !== undefined && !taker.ended && hasLimitPrice(taker.orderType)) {
        touch(takerState);
        takerState.book.rest(taker.orderId, taker.side, taker.price, taker.quantity - taker.executed);
      }
      taker = undefined;
      takerState = undefined;
    };
    for (const event of events) {
      switch (event.type) {
        case 'AssetAdded':
          this.assetDecimals.set(event.asset, event.decimals);
          break;
        case 'MarketListed':
          this.list(event.market);
          break;
        case 'OrderAccepted': {
          const state = this.markets.get(event.symbol);
          if (state === undefined) break;
          // A conditional order waits off the book; it matches only once triggered.
          if (isConditionalOrderType(event.orderType)) {
            state.waiting.set(event.orderId, event);
            break;
          }
          settleTaker();
          taker = takerOf(event);
          takerState = state;
          break;
        }
        case 'OrderTriggered': {
          const state = this.markets.get(event.symbol);
          const accepted = state?.waiting.get(event.orderId);
          if (state === undefined || accepted === undefined) break;
          state.waiting.delete(event.orderId);
          settleTaker();
          taker = takerOf(accepted);
          takerState = state;
          break;
        }
        case 'Trade': {
          const state = this.markets.get(event.symbol);
          if (state === undefined) break;
          touch(state);
          state.book.fill(event.makerOrderId, event.quantity);
          if (taker !== undefined && taker.orderId === event.takerOrderId) {
            taker.executed = event.takerExecutedQty;
          }
          state.trades.push(event);
          state.stats.add(event);
          state.klines.add(event);
          const closed = state.aggTrades.add(event);
          if (closed !== undefined) state.closedAggs.push(closed);
          break;
        }
        case 'OrderFilled':
        case 'OrderCanceled':
        case 'OrderExpired': {
          const state = this.markets.get(event.symbol);
          if (state === undefined) break;
          if (taker !== undefined && taker.orderId === event.orderId) taker.ended = true;
          state.waiting.delete(event.orderId);
          if (state.book.remove(event.orderId)) touch(state);
          break;
        }
        default:
          break;
      }
    }
    settleTaker();
    this.applied = seq;
    const ts = events[0]?.ts ?? this.lastTs;
    if (ts > this.lastTs) this.lastTs = ts;
    if (touched.length === 0) return;
    const updates: SymbolUpdate[] = [];
    for (const state of touched) {
      state.touched = false;
      const closed = state.aggTrades.close();
      if (closed !== undefined) state.closedAggs.push(closed);
      const { bids, asks } = state.book.takeChanges();
      const top = this.topOf(state, seq);
      const before = state.bookTicker;
      const topChanged =
        top.bidPrice !== before.bidPrice ||
        top.bidQty !== before.bidQty ||
        top.askPrice !== before.askPrice ||
        top.askQty !== before.askQty;
      if (topChanged) state.bookTicker = top;
      updates.push({
        symbol: state.info.spec.symbol,
        bids,
        asks,
        trades: state.trades,
        aggTrades: state.closedAggs,
        bookTicker: topChanged ? top : undefined,
      });
      state.trades = [];
      state.closedAggs = [];
    }
    if (this.listeners.size === 0) return;
    const update: MarketUpdate = { seq, ts, symbols: updates };
    for (const listener of this.listeners) listener(update);
  }

  depth(symbol: string, limit: number): DepthSnapshot | undefined {
    const state = this.markets.get(symbol);
    if (state === undefined) return undefined;
    return { lastUpdateId: this.applied, bids: state.book.bids.top(limit), asks: state.book.asks.top(limit) };
  }

  bookTicker(symbol: string): BookTicker | undefined {
    return this.markets.get(symbol)?.bookTicker;
  }

  ticker24h(symbol: string, nowMs: number): Ticker24h | undefined {
    return this.markets.get(symbol)?.stats.ticker(nowMs);
  }

  /** The rolling window ticker over `windowMs` (up to a day) ending at `nowMs`. */
  windowTicker(symbol: string, nowMs: number, windowMs: number): WindowTicker | undefined {
    return this.markets.get(symbol)?.stats.window(nowMs, windowMs);
  }

  /** The time zones (ms ahead of UTC) whose live candles are kept besides UTC's. */
  get klineTimeZones(): readonly number[] {
    return this.klineTimeZonesMs;
  }

  averagePrice(
    symbol: string,
    nowMs: number,
    minutes: number,
  ): { readonly price: Amount; readonly closeTime: number } | undefined {
    return this.markets.get(symbol)?.stats.averagePrice(nowMs, minutes);
  }

  aggTrades(query: AggTradeQuery): readonly AggTrade[] {
    return this.markets.get(query.symbol)?.aggTrades.query(query) ?? [];
  }

  private list(spec: MarketSpec): SymbolState {
    const existing = this.markets.get(spec.symbol);
    if (existing !== undefined) return existing;
    const baseDecimals = this.assetDecimals.get(spec.base);
    const quoteDecimals = this.assetDecimals.get(spec.quote);
    if (baseDecimals === undefined || quoteDecimals === undefined) {
      throw new Error(`market ${spec.symbol} lists an asset market data has not seen added`);
    }
    const state = new SymbolState(
      { spec, baseDecimals, quoteDecimals },
      this.aggCapacity,
      this.klineTimeZonesMs,
    );
    this.markets.set(spec.symbol, state);
    return state;
  }

  private topOf(state: SymbolState, seq: number): BookTicker {
    const { bids, asks } = state.book;
    const bidPrice = bids.bestPrice() ?? 0;
    const askPrice = asks.bestPrice() ?? 0;
    return {
      symbol: state.info.spec.symbol,
      updateId: seq,
      bidPrice,
      bidQty: bids.quantityAt(bidPrice),
      askPrice,
      askQty: asks.quantityAt(askPrice),
    };
  }
}
