import type { SelfTradePreventionMode, Side } from '../domain/market.ts';
import type { PriceLevel } from './price-level.ts';

/**
 * An order resting on the book. A class, so that every order shares one hidden class; it is linked
 * into its price level's FIFO queue, so cancelling it is O(1).
 */
export class RestingOrder {
  readonly orderId: number;
  readonly userId: number;
  readonly side: Side;
  readonly price: number;
  readonly quantity: number;
  readonly clientOrderId: string;
  readonly stpMode: SelfTradePreventionMode;
  readonly ts: number;
  readonly symbol: string;
  /** False when the engine derived the client order id from the order id. */
  readonly clientIdChosen: boolean;
  remaining: number;
  executed: number;
  cumulativeQuote: number;
  /** What the order still holds locked: quote notional of the remaining quantity for a buy, base for a sell. */
  locked: number;
  level: PriceLevel | null = null;
  prev: RestingOrder | null = null;
  next: RestingOrder | null = null;
  /** Links in the owner's list of open orders, oldest first (see OpenOrders). */
  userPrev: RestingOrder | null = null;
  userNext: RestingOrder | null = null;

  constructor(
    orderId: number,
    userId: number,
    side: Side,
    price: number,
    quantity: number,
    clientOrderId: string,
    stpMode: SelfTradePreventionMode,
    ts: number,
    symbol: string,
    clientIdChosen: boolean,
  ) {
    this.orderId = orderId;
    this.userId = userId;
    this.side = side;
    this.price = price;
    this.quantity = quantity;
    this.clientOrderId = clientOrderId;
    this.stpMode = stpMode;
    this.ts = ts;
    this.symbol = symbol;
    this.clientIdChosen = clientIdChosen;
    this.remaining = quantity;
    this.executed = 0;
    this.cumulativeQuote = 0;
    this.locked = 0;
  }
}
