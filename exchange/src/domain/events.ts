import type { Amount } from './amount.ts';
import type { CommandType } from './commands.ts';
import type { MarketSpec, OrderType, SelfTradePreventionMode, Side, TimeInForce } from './market.ts';
import type { RejectReason } from './reject-reason.ts';

/**
 * Every event carries the sequence number and timestamp of the command that caused it; the events of
 * one command are contiguous and in causal order. Absent amounts are 0 rather than undefined, so every
 * event of a type has the same shape.
 */
interface Caused {
  readonly seq: number;
  readonly ts: number;
}

export interface AssetAdded extends Caused {
  readonly type: 'AssetAdded';
  readonly asset: string;
  readonly decimals: number;
}

export interface MarketListed extends Caused {
  readonly type: 'MarketListed';
  readonly market: MarketSpec;
}

export interface MarketHalted extends Caused {
  readonly type: 'MarketHalted';
  readonly symbol: string;
}

export interface MarketResumed extends Caused {
  readonly type: 'MarketResumed';
  readonly symbol: string;
}

/**
 * Why a balance moved. Per asset and command, the deltas of TRADE and FEE changes sum to zero, and
 * ORDER_LOCK, ORDER_RELEASE, WITHDRAWAL_LOCK and WITHDRAWAL_FAIL move between available and locked of
 * one account; only DEPOSIT and WITHDRAWAL_COMPLETE cross the exchange's boundary. That is what lets
 * the ledger keep double entry.
 */
export type BalanceReason =
  | 'DEPOSIT'
  | 'WITHDRAWAL_LOCK'
  | 'WITHDRAWAL_COMPLETE'
  | 'WITHDRAWAL_FAIL'
  | 'ORDER_LOCK'
  | 'ORDER_RELEASE'
  | 'TRADE'
  | 'FEE';

export interface BalanceChanged extends Caused {
  readonly type: 'BalanceChanged';
  readonly userId: number;
  readonly asset: string;
  readonly availableDelta: number;
  readonly lockedDelta: number;
  /** Balances after the change. */
  readonly available: Amount;
  readonly locked: Amount;
  readonly reason: BalanceReason;
}

export interface WithdrawalRequested extends Caused {
  readonly type: 'WithdrawalRequested';
  readonly withdrawalId: string;
  readonly userId: number;
  readonly asset: string;
  readonly amount: Amount;
}

export interface WithdrawalCompleted extends Caused {
  readonly type: 'WithdrawalCompleted';
  readonly withdrawalId: string;
  readonly userId: number;
  readonly asset: string;
  readonly amount: Amount;
}

export interface WithdrawalFailed extends Caused {
  readonly type: 'WithdrawalFailed';
  readonly withdrawalId: string;
  readonly userId: number;
  readonly asset: string;
  readonly amount: Amount;
}

export interface OrderAccepted extends Caused {
  readonly type: 'OrderAccepted';
  readonly orderId: number;
  readonly userId: number;
  readonly symbol: string;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly timeInForce: TimeInForce;
  /** 0 for market orders. */
  readonly price: Amount;
  /** Base quantity; 0 for a market order by quote amount. */
  readonly quantity: Amount;
  /** Quote amount of a market order by quote (Binance's quoteOrderQty); otherwise 0. */
  readonly quoteOrderQty: Amount;
  /** The user's id, or one the engine derived from the order id when the user gave none. */
  readonly clientOrderId: string;
  readonly stpMode: SelfTradePreventionMode;
  /** A conditional order's stop price, 0 when it has none (and for every other type). */
  readonly stopPrice: Amount;
  /** A trailing stop's delta in basis points; 0 when not trailing. */
  readonly trailingDelta: number;
}

/**
 * A conditional order (accepted, waiting off the book) was triggered by a trade at `triggerPrice`:
 * from here it works as its MARKET or LIMIT counterpart, its trades and end following in the same
 * command. Binance reports it as a second NEW executionReport, now working.
 */
export interface OrderTriggered extends Caused {
  readonly type: 'OrderTriggered';
  readonly orderId: number;
  readonly userId: number;
  readonly symbol: string;
  readonly clientOrderId: string;
  readonly triggerPrice: Amount;
}

export interface Trade extends Caused {
  readonly type: 'Trade';
  /** Per symbol: 1, 2, 3... in the order the symbol's trades happen. */
  readonly tradeId: number;
  /**
   * Per symbol, likewise: the aggregate trade this fill belongs to (Binance's aggTrades), one per run
   * of a taker order's consecutive fills at one price.
   */
  readonly aggTradeId: number;
  readonly symbol: string;
  readonly price: Amount;
  readonly quantity: Amount;
  readonly quoteQuantity: Amount;
  readonly takerSide: Side;
  readonly takerOrderId: number;
  readonly takerUserId: number;
  readonly makerOrderId: number;
  readonly makerUserId: number;
  /** Fees are charged in the asset each side receives: base for the buyer, quote for the seller. */
  readonly takerFee: Amount;
  readonly makerFee: Amount;
  /** Cumulative base quantity executed by each order after this trade. */
  readonly takerExecutedQty: Amount;
  readonly makerExecutedQty: Amount;
}

/** The order executed completely (for a market order by quote: spent all it could buy in lots). */
export interface OrderFilled extends Caused {
  readonly type: 'OrderFilled';
  readonly orderId: number;
  readonly userId: number;
  readonly symbol: string;
  readonly executedQty: Amount;
  readonly cumulativeQuoteQty: Amount;
}

export type CancelReason = 'USER' | 'CANCEL_ALL' | 'REPLACE';

export interface OrderCanceled extends Caused {
  readonly type: 'OrderCanceled';
  readonly orderId: number;
  readonly userId: number;
  readonly symbol: string;
  readonly clientOrderId: string;
  readonly executedQty: Amount;
  readonly cumulativeQuoteQty: Amount;
  readonly reason: CancelReason;
}

/**
 * IOC: the rest could not fill at once. FOK: it could not fill entirely. NO_LIQUIDITY: a market order
 * ran out of book. BALANCE: a market order ran out of funds. BELOW_ONE_LOT: a market order by quote
 * amount whose amount buys (or raises) no whole lot at the best price, so nothing executed.
 * SELF_TRADE: self-trade prevention expired it (Binance's EXPIRED_IN_MATCH).
 */
export type ExpireReason = 'IOC' | 'FOK' | 'NO_LIQUIDITY' | 'BALANCE' | 'BELOW_ONE_LOT' | 'SELF_TRADE';

export interface OrderExpired extends Caused {
  readonly type: 'OrderExpired';
  readonly orderId: number;
  readonly userId: number;
  readonly symbol: string;
  readonly clientOrderId: string;
  readonly executedQty: Amount;
  readonly cumulativeQuoteQty: Amount;
  readonly reason: ExpireReason;
}

export interface Rejected extends Caused {
  readonly type: 'Rejected';
  readonly command: CommandType;
  readonly reason: RejectReason;
  /** 0 when the command names no user. */
  readonly userId: number;
  /** '' when the command names no symbol or client order id. */
  readonly symbol: string;
  readonly clientOrderId: string;
}

export type EngineEvent =
  | AssetAdded
  | MarketListed
  | MarketHalted
  | MarketResumed
  | BalanceChanged
  | WithdrawalRequested
  | WithdrawalCompleted
  | WithdrawalFailed
  | OrderAccepted
  | OrderTriggered
  | Trade
  | OrderFilled
  | OrderCanceled
  | OrderExpired
  | Rejected;

export type EngineEventType = EngineEvent['type'];
