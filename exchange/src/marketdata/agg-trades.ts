import type { Trade } from '../domain/events.ts';
import type { AggTrade, AggTradeQuery } from './market-data-view.ts';

/**
 * A symbol's aggregate trades: consecutive fills of one taker order at one price. Such fills only
 * happen within one command, so an aggregate is final when its command ends.
 *
 * The engine numbers aggregates per symbol (1, 2, 3..., as Binance does) and gives each trade its
 * aggregate's id, so the ids are durable: the same across restarts and rebuilds, and contiguous.
 *
 * History is kept in memory up to `capacity` aggregates; older ones are dropped.
 */
export class AggTradeHistory {
  readonly symbol: string;
  private readonly capacity: number;
  private items: AggTrade[] = [];
  private open: {
    aggId: number;
    firstTradeId: number;
    price: number;
    quantity: number;
    lastTradeId: number;
    time: number;
    buyerIsMaker: boolean;
  } | null = null;

  constructor(symbol: string, capacity: number) {
    this.symbol = symbol;
    this.capacity = capacity;
  }

  /** Adds a trade; returns the aggregate it closed, if the trade started a new one. */
  add(trade: Trade): AggTrade | undefined {
    const open = this.open;
    if (open !== null && open.aggId === trade.aggTradeId) {
      open.quantity += trade.quantity;
      open.lastTradeId = trade.tradeId;
      return undefined;
    }
    const closed = this.close();
    this.open = {
      aggId: trade.aggTradeId,
      firstTradeId: trade.tradeId,
      price: trade.price,
      quantity: trade.quantity,
      lastTradeId: trade.tradeId,
      time: trade.ts,
      buyerIsMaker: trade.takerSide === 'SELL',
    };
    return closed;
  }

  /** Ends the open aggregate (at the end of a command) and returns it. */
  close(): AggTrade | undefined {
    const open = this.open;
    if (open === null) return undefined;
    this.open = null;
    const agg: AggTrade = {
      aggId: open.aggId,
      symbol: this.symbol,
      price: open.price,
      quantity: open.quantity,
      firstTradeId: open.firstTradeId,
      lastTradeId: open.lastTradeId,
      time: open.time,
      buyerIsMaker: open.buyerIsMaker,
    };
    this.items.push(agg);
    if (this.items.length > this.capacity + Math.max(64, this.capacity >> 3)) {
      this.items = this.items.slice(this.items.length - this.capacity);
    }
    return agg;
  }

  /**
   * Binance's aggTrades, oldest first: from an id; from startTime (up to endTime, if given, at any
   * span: Binance dropped its one-hour limit in December 2022); the newest `limit` up to endTime when
   * only endTime is given; or else the newest `limit`.
   */
  query(query: AggTradeQuery): AggTrade[] {
    const { items } = this;
    const limit = Math.max(0, query.limit);
    if (query.fromId !== undefined) {
      const from = lowerBound(items, (a) => a.aggId >= query.fromId!);
      return items.slice(from, from + limit);
    }
    const end = query.endTime ?? Number.POSITIVE_INFINITY;
    if (query.startTime !== undefined) {
      const start = query.startTime;
      const from = lowerBound(items, (a) => a.time >= start);
      const out: AggTrade[] = [];
      for (let i = from; i < items.length && out.length < limit; i++) {
        const agg = items[i]!;
        if (agg.time > end) break;
        out.push(agg);
      }
      return out;
    }
    const upTo = lowerBound(items, (a) => a.time > end);
    return items.slice(Math.max(0, upTo - limit), upTo);
  }
}

/** The first index whose item satisfies `atOrAfter`, which is monotonic over the array. */
function lowerBound<T>(items: readonly T[], atOrAfter: (item: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (atOrAfter(items[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
