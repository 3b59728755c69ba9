import type { ExpireReason } from '../domain/events.ts';
import type { SelfTradePreventionMode, Side, TimeInForce } from '../domain/market.ts';

/**
 * What limits how much a taker may still buy or sell:
 * - BASE: a base quantity (limit orders, market orders by quantity);
 * - QUOTE: a quote amount (market orders by quoteOrderQty).
 * A market buy by quantity and a market sell by quote amount also carry a budget: all the user had
 * available, locked for the duration of the command, so that the order never spends more than that.
 */
export type TakerTarget = 'BASE' | 'QUOTE';

/** The incoming order while it matches; it becomes a RestingOrder only if a GTC remainder rests. */
export class Taker {
  orderId = 0;
  userId = 0;
  side: Side = 'BUY';
  /** Limit price, or 0 for a market order (no limit). */
  price = 0;
  quantity = 0;
  timeInForce: TimeInForce = 'GTC';
  stpMode: SelfTradePreventionMode = 'NONE';
  clientOrderId = '';
  userChoseClientId = false;
  target: TakerTarget = 'BASE';
  /** Base still wanted (BASE target) or quote still to spend or raise (QUOTE target). */
  remaining = 0;
  /** Buys: quote locked for this order. Sells: base locked for this order. */
  locked = 0;
  /** True when `locked` is the user's whole balance rather than a computed requirement. */
  budgeted = false;
  executed = 0;
  cumulativeQuote = 0;
  /** Set when the taker stops for good before filling; null while it may continue. */
  expireReason: ExpireReason | null = null;
  filled = false;
  /** The price and id of the aggregate trade the taker's last fill belongs to; price 0 before any fill. */
  aggPrice = 0;
  aggTradeId = 0;
}
