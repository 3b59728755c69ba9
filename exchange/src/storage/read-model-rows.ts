import type { Amount } from '../domain/amount.ts';
import type { CancelReason, ExpireReason } from '../domain/events.ts';
import type {
  MarketSpec,
  MarketStatus,
  OrderType,
  SelfTradePreventionMode,
  Side,
  TimeInForce,
} from '../domain/market.ts';
import type { CandleInterval } from './candle-intervals.ts';

/**
 * The rows of the read model, as every adapter returns them. Field names and value types are part of
 * the port: the contract suite compares two databases row for row, so an adapter maps its own column
 * names and types (SQLite's 0/1, MariaDB's BIGINT) onto exactly these shapes.
 */

/** Binance's order statuses; EXPIRED_IN_MATCH is an expiry by self-trade prevention. */
export type OrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'EXPIRED_IN_MATCH';

export const OPEN_ORDER_STATUSES: readonly OrderStatus[] = ['NEW', 'PARTIALLY_FILLED'];

export interface AssetRow {
  readonly asset: string;
  readonly decimals: number;
  readonly addedSeq: number;
}

export interface MarketRow extends MarketSpec {
  readonly status: MarketStatus;
  readonly listedSeq: number;
  readonly updatedSeq: number;
}

export interface OrderRow {
  readonly orderId: number;
  readonly symbol: string;
  readonly userId: number;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly timeInForce: TimeInForce;
  readonly price: Amount;
  /** Base quantity asked for; 0 for a market order by quote amount. */
  readonly origQty: Amount;
  readonly origQuoteOrderQty: Amount;
  readonly executedQty: Amount;
  readonly cumulativeQuoteQty: Amount;
  readonly status: OrderStatus;
  /** Why the order ended when CANCELED or EXPIRED*; '' otherwise. */
  readonly statusReason: '' | CancelReason | ExpireReason;
  readonly stpMode: SelfTradePreventionMode;
  readonly createdSeq: number;
  /** Binance's `time`. */
  readonly createdTs: number;
  readonly updatedSeq: number;
  /** Binance's `updateTime`. */
  readonly updatedTs: number;
  /** Number of status changes so far; the version of the newest status history row. */
  readonly version: number;
  /** A conditional order's stop price; 0 for every other order and a trailing one without it. */
  readonly stopPrice: Amount;
  /** A trailing stop's delta in basis points; 0 when not trailing. */
  readonly trailingDelta: number;
  /**
   * Binance's `workingTime`: when the order began working (its placement, or for a conditional
   * order its trigger); -1 while a conditional order waits.
   */
  readonly workingTs: number;
}

/** One row per status change: NEW, then at most one PARTIALLY_FILLED, then the final status. */
export interface OrderStatusRow {
  readonly orderId: number;
  readonly version: number;
  readonly status: OrderStatus;
  readonly executedQty: Amount;
  readonly cumulativeQuoteQty: Amount;
  readonly reason: '' | CancelReason | ExpireReason;
  readonly seq: number;
  readonly ts: number;
}

export interface TradeRow {
  readonly tradeId: number;
  readonly symbol: string;
  readonly price: Amount;
  readonly quantity: Amount;
  readonly quoteQuantity: Amount;
  readonly takerSide: Side;
  readonly takerOrderId: number;
  readonly takerUserId: number;
  readonly makerOrderId: number;
  readonly makerUserId: number;
  readonly takerFee: Amount;
  readonly makerFee: Amount;
  readonly seq: number;
  readonly ts: number;
}

/** One side of a trade as its user sees it (Binance's myTrades); a self-trade yields two. */
export interface UserTradeRow {
  readonly tradeId: number;
  readonly symbol: string;
  readonly orderId: number;
  readonly userId: number;
  readonly price: Amount;
  readonly quantity: Amount;
  readonly quoteQuantity: Amount;
  readonly commission: Amount;
  /** The asset the user received: base for the buyer, quote for the seller. */
  readonly commissionAsset: string;
  readonly isBuyer: boolean;
  readonly isMaker: boolean;
  readonly seq: number;
  readonly ts: number;
}

/**
 * Ledger accounts: each user has `available` and `locked` per asset; `external` stands for the world
 * outside the exchange (per user, so a user's net deposits can be read from it). The fee account is
 * user 0's `available`.
 */
export type LedgerAccount = 'available' | 'locked' | 'external';

/**
 * A double-entry posting. A transaction is one command and one asset: the postings of (seq, asset)
 * sum to zero.
 */
export interface PostingRow {
  readonly seq: number;
  /** Position among the command's postings, from 0. */
  readonly entryNo: number;
  readonly ts: number;
  readonly userId: number;
  readonly account: LedgerAccount;
  readonly asset: string;
  /** Signed: positive is money into the account. */
  readonly amount: number;
  readonly reason: string;
}

/** The balance the engine last reported for a user and asset (BalanceChanged's resulting balances). */
export interface BalanceRow {
  readonly userId: number;
  readonly asset: string;
  readonly available: Amount;
  readonly locked: Amount;
  readonly seq: number;
}

export interface Balance {
  readonly available: Amount;
  readonly locked: Amount;
}

export interface CandleRow {
  readonly symbol: string;
  readonly interval: CandleInterval;
  /** UTC ms of the bucket's start, inclusive. */
  readonly openTime: number;
  /** UTC ms of the bucket's last millisecond, as Binance reports it. */
  readonly closeTime: number;
  readonly open: Amount;
  readonly high: Amount;
  readonly low: Amount;
  readonly close: Amount;
  readonly volume: Amount;
  readonly quoteVolume: Amount;
  /** Base volume of the trades whose taker bought (Binance's "taker buy base asset volume"). */
  readonly takerBuyVolume: Amount;
  /** Quote volume of the trades whose taker bought. */
  readonly takerBuyQuoteVolume: Amount;
  readonly tradeCount: number;
  readonly firstTradeId: number;
  readonly lastTradeId: number;
}

export type WithdrawalStatus = 'REQUESTED' | 'COMPLETED' | 'FAILED';

export interface WithdrawalRow {
  readonly withdrawalId: string;
  readonly userId: number;
  readonly asset: string;
  readonly amount: Amount;
  readonly status: WithdrawalStatus;
  readonly requestedSeq: number;
  readonly requestedTs: number;
  readonly updatedSeq: number;
  readonly updatedTs: number;
}

/**
 * Every row of the read model in a canonical order (each table by its primary key), so that two
 * databases, or a database and its rebuild, can be compared with one deepStrictEqual.
 */
export interface ReadModelDump {
  readonly lastAppliedSeq: number;
  readonly assets: readonly AssetRow[];
  readonly markets: readonly MarketRow[];
  readonly orders: readonly OrderRow[];
  readonly orderStatus: readonly OrderStatusRow[];
  readonly trades: readonly TradeRow[];
  readonly postings: readonly PostingRow[];
  readonly balances: readonly BalanceRow[];
  readonly candles: readonly CandleRow[];
  readonly withdrawals: readonly WithdrawalRow[];
}
