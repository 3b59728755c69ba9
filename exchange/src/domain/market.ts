import type { Amount } from './amount.ts';

export type Side = 'BUY' | 'SELL';
export type OrderType =
  | 'LIMIT'
  | 'MARKET'
  | 'LIMIT_MAKER'
  | 'STOP_LOSS'
  | 'STOP_LOSS_LIMIT'
  | 'TAKE_PROFIT'
  | 'TAKE_PROFIT_LIMIT';

/** Binance's contingent orders: they wait off the book until a trade price triggers them. */
export type ConditionalOrderType = 'STOP_LOSS' | 'STOP_LOSS_LIMIT' | 'TAKE_PROFIT' | 'TAKE_PROFIT_LIMIT';

export function isConditionalOrderType(type: OrderType): type is ConditionalOrderType {
  return (
    type === 'STOP_LOSS' ||
    type === 'STOP_LOSS_LIMIT' ||
    type === 'TAKE_PROFIT' ||
    type === 'TAKE_PROFIT_LIMIT'
  );
}

/** The order types that carry a limit price (and a time in force) once working. */
export function hasLimitPrice(type: OrderType): boolean {
  return (
    type === 'LIMIT' || type === 'LIMIT_MAKER' || type === 'STOP_LOSS_LIMIT' || type === 'TAKE_PROFIT_LIMIT'
  );
}

/** Every order type, in the order exchangeInfo lists them. */
export const ORDER_TYPES: readonly OrderType[] = [
  'LIMIT',
  'LIMIT_MAKER',
  'MARKET',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
];
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';
/** Binance's self-trade prevention modes; the taker's mode decides what happens. */
export type SelfTradePreventionMode = 'NONE' | 'EXPIRE_TAKER' | 'EXPIRE_MAKER' | 'EXPIRE_BOTH';
export type MarketStatus = 'TRADING' | 'HALTED';

export const SIDES: readonly Side[] = ['BUY', 'SELL'];
export const TIME_IN_FORCES: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK'];
export const STP_MODES: readonly SelfTradePreventionMode[] = [
  'NONE',
  'EXPIRE_TAKER',
  'EXPIRE_MAKER',
  'EXPIRE_BOTH',
];

/** Fee rates are integers in parts per million of the amount received (1000 = 0.1%). */
export const FEE_RATE_SCALE = 1_000_000;

/**
 * A market's rules, every amount in minor units. Prices are quote minor units per one whole base unit,
 * so the notional of `quantity` base minor units at `price` is price * quantity / 10^baseDecimals.
 * Listing requires tickSize * lotSize to be a multiple of 10^baseDecimals, which makes every notional
 * an exact integer: no trade ever rounds.
 */
export interface MarketSpec {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly tickSize: Amount;
  readonly lotSize: Amount;
  readonly minQty: Amount;
  readonly maxQty: Amount;
  readonly minNotional: Amount;
  readonly makerFeePpm: number;
  readonly takerFeePpm: number;
  /** The STP mode applied when an order names none; Binance's default is EXPIRE_MAKER. */
  readonly defaultStpMode: SelfTradePreventionMode;
}

/** The account that collects every fee, one balance per asset. Users are numbered from 1. */
export const FEE_ACCOUNT_ID = 0;
