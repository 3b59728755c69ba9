import { AVG_PRICE_MINS } from '../domain/symbol-filters.ts';
import { AveragePriceWindow } from './average-price.ts';
import { type EngineSnapshot, SNAPSHOT_FORMAT_VERSION, SnapshotFormatError } from './snapshot.ts';

/** What upgrading needs of a trade: a Trade event, or a trade row of the read model. */
export interface TradeRecord {
  readonly symbol: string;
  readonly seq: number;
  readonly ts: number;
  readonly takerOrderId: number;
  readonly price: number;
  readonly quantity: number;
  readonly quoteQuantity: number;
}

interface MarketCounters {
  trades: number;
  aggTrades: number;
  lastSeq: number;
  lastTaker: number;
  lastPrice: number;
  readonly averagePrice: AveragePriceWindow;
}

/** A format-1 snapshot: one trade count across all markets, no per-market counters. */
interface Format1Snapshot extends Omit<EngineSnapshot, 'version' | 'markets'> {
  readonly version: 1;
  readonly nextTradeId: number;
  readonly markets: readonly Omit<
    EngineSnapshot['markets'][number],
    'nextTradeId' | 'nextAggTradeId' | 'averagePrice'
  >[];
}

/**
 * Rebuilds what a format-1 snapshot lacks (each market's trade count, aggregate trade count and
 * average price) from every trade up to the snapshot, as the engine would have counted them had it
 * numbered per market from the start: the trades of each market, in order, each run of one taker's
 * fills at one price within one command being one aggregate. The result is the format-2 snapshot of
 * the same state, hash for hash, and the trade count is checked against the snapshot's own.
 */
export class Format1Upgrade {
  private readonly markets = new Map<string, MarketCounters>();
  private total = 0;

  /** Takes the trades of each market in the order they happened (markets may interleave). */
  add(trade: TradeRecord): void {
    let counters = this.markets.get(trade.symbol);
    if (counters === undefined) {
      counters = {
        trades: 0,
        aggTrades: 0,
        lastSeq: 0,
        lastTaker: 0,
        lastPrice: 0,
        averagePrice: new AveragePriceWindow(AVG_PRICE_MINS),
      };
      this.markets.set(trade.symbol, counters);
    }
    counters.trades++;
    this.total++;
    if (
      trade.seq !== counters.lastSeq ||
      trade.takerOrderId !== counters.lastTaker ||
      trade.price !== counters.lastPrice
    ) {
      counters.aggTrades++;
      counters.lastSeq = trade.seq;
      counters.lastTaker = trade.takerOrderId;
      counters.lastPrice = trade.price;
    }
    counters.averagePrice.add(trade.ts, trade.price, trade.quantity, trade.quoteQuantity);
  }

  apply(snapshot: EngineSnapshot): EngineSnapshot {
    const old = snapshot as unknown as Format1Snapshot;
    if (old.version !== 1) {
      throw new SnapshotFormatError(`only a format 1 snapshot can be upgraded, not ${String(old.version)}`);
    }
    if (this.total !== old.nextTradeId - 1) {
      throw new SnapshotFormatError(
        `the trades given to upgrade the format 1 snapshot at seq ${old.lastSeq} number ${this.total}, the snapshot counted ${old.nextTradeId - 1}`,
      );
    }
    const { nextTradeId: _global, markets, ...rest } = old;
    return {
      ...rest,
      version: SNAPSHOT_FORMAT_VERSION,
      // Builds that wrote format 1 had no conditional orders.
      conditionalOrders: [],
      markets: markets.map((market) => {
        const counters = this.markets.get(market.spec.symbol);
        const averagePrice = (counters?.averagePrice ?? new AveragePriceWindow(AVG_PRICE_MINS)).save();
        return {
          spec: market.spec,
          status: market.status,
          nextTradeId: (counters?.trades ?? 0) + 1,
          nextAggTradeId: (counters?.aggTrades ?? 0) + 1,
          averagePrice,
          bids: market.bids,
          asks: market.asks,
        };
      }),
    };
  }
}
