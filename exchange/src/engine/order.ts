import type { SelfTradePreventionMode, Side } from '../domain/market.ts';
import type { Account } from './balances.ts';
import type { PriceLevel } from './price-level.ts';

/**
 * An order resting on the book. A class, so that every order shares one hidden class; it is linked
 * into its price level's FIFO queue, so cancelling it is O(1).
 *
 * Once an order leaves the book its object may be reused for a later order (see OpenOrders.create):
 * a book that moves orders would otherwise allocate one per move, and each would live long enough
 * to be copied by the young-generation collector and promoted. So the identity fields are writable,
 * but only `init` writes them, and nothing may keep a RestingOrder past the command that removed it.
 */
export class RestingOrder {
  orderId = 0;
  userId = 0;
  side: Side = 'BUY';
  price = 0;
  quantity = 0;
  clientOrderId = '';
  stpMode: SelfTradePreventionMode = 'NONE';
  ts = 0;
  symbol = '';
  /** False when the engine derived the client order id from the order id. */
  clientIdChosen = false;
  remaining = 0;
  executed = 0;
  cumulativeQuote = 0;
  /** What the order still holds locked: quote notional of the remaining quantity for a buy, base for a sell. */
  locked = 0;
  /** The owner's balances, looked up once (accounts are never dropped). */
  account: Account | null = null;
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
    this.init(orderId, userId, side, price, quantity, clientOrderId, stpMode, ts, symbol, clientIdChosen);
  }

  init(
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
  ): this {
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
    this.account = null;
    this.level = null;
    this.prev = null;
    this.next = null;
    this.userPrev = null;
    this.userNext = null;
    return this;
  }
}
