import type { Amount } from './amount.ts';
import type { MarketSpec, OrderType, SelfTradePreventionMode, Side, TimeInForce } from './market.ts';

/**
 * Every command carries the sequence number and timestamp (ms since the epoch) the sequencer gave it:
 * the engine never reads a clock, so the same log always yields the same events.
 */
interface Stamped {
  readonly seq: number;
  readonly ts: number;
}

export interface AddAsset extends Stamped {
  readonly type: 'AddAsset';
  readonly asset: string;
  readonly decimals: number;
}

export interface ListMarket extends Stamped, MarketSpec {
  readonly type: 'ListMarket';
}

export interface HaltMarket extends Stamped {
  readonly type: 'HaltMarket';
  readonly symbol: string;
}

export interface ResumeMarket extends Stamped {
  readonly type: 'ResumeMarket';
  readonly symbol: string;
}

export interface Deposit extends Stamped {
  readonly type: 'Deposit';
  readonly userId: number;
  readonly asset: string;
  readonly amount: Amount;
}

/** Locks the amount; CompleteWithdrawal then removes it, FailWithdrawal gives it back. */
export interface RequestWithdrawal extends Stamped {
  readonly type: 'RequestWithdrawal';
  readonly withdrawalId: string;
  readonly userId: number;
  readonly asset: string;
  readonly amount: Amount;
}

export interface CompleteWithdrawal extends Stamped {
  readonly type: 'CompleteWithdrawal';
  readonly withdrawalId: string;
}

export interface FailWithdrawal extends Stamped {
  readonly type: 'FailWithdrawal';
  readonly withdrawalId: string;
}

/**
 * Binance Spot's order parameters. LIMIT needs price, quantity and timeInForce; LIMIT_MAKER needs
 * price and quantity; MARKET needs exactly one of quantity (base) or quoteOrderQty (quote).
 * STOP_LOSS and TAKE_PROFIT need quantity, STOP_LOSS_LIMIT and TAKE_PROFIT_LIMIT also price and
 * timeInForce; all four need stopPrice or trailingDelta (basis points) or both.
 */
export interface NewOrder {
  readonly userId: number;
  readonly symbol: string;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly timeInForce?: TimeInForce;
  readonly price?: Amount;
  /** The trigger price of a conditional order (for a trailing one, the price that starts it tracking). */
  readonly stopPrice?: Amount;
  /** A trailing stop's distance from the best price since it started tracking, in basis points. */
  readonly trailingDelta?: number;
  readonly quantity?: Amount;
  readonly quoteOrderQty?: Amount;
  readonly clientOrderId?: string;
  readonly stpMode?: SelfTradePreventionMode;
}

export interface PlaceOrder extends Stamped, NewOrder {
  readonly type: 'PlaceOrder';
}

/** Names an order by the engine's id or by the user's client order id. */
export interface OrderRef {
  readonly orderId?: number;
  readonly clientOrderId?: string;
}

export interface CancelOrder extends Stamped, OrderRef {
  readonly type: 'CancelOrder';
  readonly userId: number;
  readonly symbol: string;
}

export interface CancelAllOrders extends Stamped {
  readonly type: 'CancelAllOrders';
  readonly userId: number;
  readonly symbol: string;
}

/**
 * Binance's order/cancelReplace: cancel, then place. STOP_ON_FAILURE places nothing when the cancel
 * fails; ALLOW_FAILURE places the new order anyway. A successful cancel stands even if the new order
 * is then rejected, exactly as on Binance.
 */
export interface CancelReplace extends Stamped {
  readonly type: 'CancelReplace';
  readonly cancel: OrderRef;
  readonly mode: 'STOP_ON_FAILURE' | 'ALLOW_FAILURE';
  readonly order: NewOrder;
}

/**
 * Written once when an operator accepts the loss of the log's damaged tail (see
 * app/log-loss.ts): the commands after `lostAfterSeq` are gone from the log, but the stores derived
 * from it had seen seqs, order ids and trade ids up to the ones given here. The engine moves its
 * counters past them, so no id a client may hold is ever issued again; the sequencer stamps this
 * command past the highest seq any store saw.
 */
export interface ResumeAfterLoss extends Stamped {
  readonly type: 'ResumeAfterLoss';
  /** The log's end when the loss was accepted: the last command that survived. */
  readonly lostAfterSeq: number;
  /** The highest seq a store derived from the log had seen. */
  readonly lostThroughSeq: number;
  /** Past every order id a store had seen. */
  readonly nextOrderId: number;
  /**
   * Per symbol, past every trade id a store had seen (trade and aggregate ids run per market; an
   * aggregate id never exceeds the id of its first trade, so the same floor serves both).
   */
  readonly nextTradeIds: Readonly<Record<string, number>>;
}

export type Command =
  | ResumeAfterLoss
  | AddAsset
  | ListMarket
  | HaltMarket
  | ResumeMarket
  | Deposit
  | RequestWithdrawal
  | CompleteWithdrawal
  | FailWithdrawal
  | PlaceOrder
  | CancelOrder
  | CancelAllOrders
  | CancelReplace;

export type CommandType = Command['type'];

/** A command before the sequencer stamps it. */
export type UnstampedCommand = Command extends infer C
  ? C extends Command
    ? Omit<C, 'seq' | 'ts'>
    : never
  : never;
