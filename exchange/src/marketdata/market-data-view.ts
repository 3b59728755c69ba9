import type { Amount } from '../domain/amount.ts';

/**
 * What the gateway reads from market data. Market data is projected from the engine's events alone
 * (it mirrors each book from OrderAccepted, Trade, OrderFilled, OrderCanceled and OrderExpired), so
 * the same code runs in process or fed from Kafka. All amounts are minor units; the gateway formats.
 *
 * Update ids are command sequence numbers: a depth snapshot's lastUpdateId is the seq of the last
 * command applied, and a depth diff covers seqs U..u. That makes Binance's documented procedure for a
 * local order book (buffer diffs, fetch a snapshot, drop diffs with u <= lastUpdateId, apply) exact.
 */
export type PriceLevelRow = readonly [price: Amount, quantity: Amount];

export interface DepthSnapshot {
  readonly lastUpdateId: number;
  /** Best first. */
  readonly bids: readonly PriceLevelRow[];
  readonly asks: readonly PriceLevelRow[];
}

export interface BookTicker {
  readonly symbol: string;
  readonly updateId: number;
  readonly bidPrice: Amount;
  readonly bidQty: Amount;
  readonly askPrice: Amount;
  readonly askQty: Amount;
}

/** Binance's rolling 24-hour statistics. */
export interface Ticker24h {
  readonly symbol: string;
  readonly openPrice: Amount;
  readonly highPrice: Amount;
  readonly lowPrice: Amount;
  readonly lastPrice: Amount;
  readonly lastQty: Amount;
  readonly prevClosePrice: Amount;
  /** Base volume and quote volume over the window. */
  readonly volume: Amount;
  readonly quoteVolume: Amount;
  readonly openTime: number;
  readonly closeTime: number;
  /** Trade ids in the window; -1 when there were none. */
  readonly firstId: number;
  readonly lastId: number;
  readonly count: number;
}

/** Binance's rolling window statistics over a window opening on a minute (`<symbol>@ticker_1h`). */
export interface WindowTicker {
  readonly symbol: string;
  readonly openTime: number;
  readonly closeTime: number;
  /** Prices in quote minor units, 0 for a window without trades. */
  readonly open: Amount;
  readonly high: Amount;
  readonly low: Amount;
  readonly last: Amount;
  readonly volume: Amount;
  readonly quoteVolume: Amount;
  /** -1 for a window without trades. */
  readonly firstId: number;
  readonly lastId: number;
  readonly count: number;
}

/** Binance's aggregate trade: consecutive fills of one taker order at one price. */
export interface AggTrade {
  readonly aggId: number;
  readonly symbol: string;
  readonly price: Amount;
  readonly quantity: Amount;
  readonly firstTradeId: number;
  readonly lastTradeId: number;
  readonly time: number;
  readonly buyerIsMaker: boolean;
}

export interface AggTradeQuery {
  readonly symbol: string;
  readonly fromId?: number;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly limit: number;
}

export interface MarketDataView {
  /** The seq of the last command applied: the lastUpdateId of any depth snapshot taken now. */
  readonly lastUpdateId: number;
  /** undefined for an unknown symbol. */
  depth(symbol: string, limit: number): DepthSnapshot | undefined;
  bookTicker(symbol: string): BookTicker | undefined;
  ticker24h(symbol: string, nowMs: number): Ticker24h | undefined;
  /** Volume-weighted average price over the last `minutes` (Binance: 5), or the last price if no trade. */
  averagePrice(
    symbol: string,
    nowMs: number,
    minutes: number,
  ): { readonly price: Amount; readonly closeTime: number } | undefined;
  aggTrades(query: AggTradeQuery): readonly AggTrade[];
}
