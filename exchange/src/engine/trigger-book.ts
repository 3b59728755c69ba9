import type { ConditionalOrderType, SelfTradePreventionMode, Side, TimeInForce } from '../domain/market.ts';

/** Basis points in one whole (a trailingDelta of 100 is 1%). */
export const BIPS = 10_000;

/**
 * A conditional order waiting off the book (Binance's STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT,
 * TAKE_PROFIT_LIMIT, trailing or not). It holds locked what it will spend, exactly as the order it
 * becomes would, and is matched only once a trade price triggers it.
 */
export class PendingOrder {
  readonly orderId: number;
  readonly userId: number;
  readonly symbol: string;
  readonly side: Side;
  readonly orderType: ConditionalOrderType;
  /** The limit price once working; 0 for STOP_LOSS and TAKE_PROFIT, which work as market orders. */
  readonly price: number;
  readonly quantity: number;
  readonly timeInForce: TimeInForce;
  readonly stpMode: SelfTradePreventionMode;
  readonly clientOrderId: string;
  readonly clientIdChosen: boolean;
  readonly ts: number;
  /** 0 when the order has none (a trailing stop that tracks from placement). */
  readonly stopPrice: number;
  /** Basis points; 0 when the order does not trail. */
  readonly trailingDelta: number;
  /** True when the stop price condition is a trade at or above it, false at or below it. */
  readonly triggersAbove: boolean;
  /** Quote locked for a buy, base for a sell. */
  locked: number;
  /** A trailing stop: whether it tracks prices yet, and the best price since it started (lowest for a buy). */
  tracking = false;
  extreme = 0;

  constructor(
    orderId: number,
    userId: number,
    symbol: string,
    side: Side,
    orderType: ConditionalOrderType,
    price: number,
    quantity: number,
    timeInForce: TimeInForce,
    stpMode: SelfTradePreventionMode,
    clientOrderId: string,
    clientIdChosen: boolean,
    ts: number,
    stopPrice: number,
    trailingDelta: number,
    triggersAbove: boolean,
    locked: number,
  ) {
    this.orderId = orderId;
    this.userId = userId;
    this.symbol = symbol;
    this.side = side;
    this.orderType = orderType;
    this.price = price;
    this.quantity = quantity;
    this.timeInForce = timeInForce;
    this.stpMode = stpMode;
    this.clientOrderId = clientOrderId;
    this.clientIdChosen = clientIdChosen;
    this.ts = ts;
    this.stopPrice = stopPrice;
    this.trailingDelta = trailingDelta;
    this.triggersAbove = triggersAbove;
    this.locked = locked;
  }
}

/** a * b >= c * d for non-negative integers, exactly even past 2^53. */
function productAtLeast(a: number, b: number, c: number, d: number): boolean {
  const left = a * b;
  const right = c * d;
  if (Number.isSafeInteger(left) && Number.isSafeInteger(right)) return left >= right;
  return BigInt(a) * BigInt(b) >= BigInt(c) * BigInt(d);
}

/**
 * Whether a trailing stop that tracks `extreme` triggers at trade price `price`: a buy on a rise of
 * its delta from the lowest price, a sell on a fall of its delta from the highest (Binance's FAQ:
 * 44,100 = 42,000 * 1.05 triggers a 500 BIPS buy).
 */
export function trailingTriggers(order: PendingOrder, price: number): boolean {
  const d = order.trailingDelta;
  return order.side === 'BUY'
    ? productAtLeast(price, BIPS, order.extreme, BIPS + d)
    : productAtLeast(order.extreme, BIPS - d, price, BIPS);
}

/**
 * One market's waiting orders. Fixed stops are kept sorted so that a trade price checks only the
 * orders it triggers: `rising` (those triggered at or above their stop) by stop price falling, and
 * `falling` by stop price rising, each with the next to trigger last, so triggering pops. Trailing
 * stops move with every price, so each trade walks them.
 */
export class MarketTriggers {
  readonly rising: PendingOrder[] = [];
  readonly falling: PendingOrder[] = [];
  readonly trailing: PendingOrder[] = [];

  get size(): number {
    return this.rising.length + this.falling.length + this.trailing.length;
  }

  add(order: PendingOrder): void {
    if (order.trailingDelta !== 0) {
      this.trailing.push(order);
      return;
    }
    const list = order.triggersAbove ? this.rising : this.falling;
    // Next to trigger last: rising by stop descending, falling by stop ascending; within one stop
    // price the oldest last, so orders that trigger together pop in placement order.
    const before = order.triggersAbove
      ? (a: PendingOrder) =>
          a.stopPrice > order.stopPrice || (a.stopPrice === order.stopPrice && a.orderId > order.orderId)
      : (a: PendingOrder) =>
          a.stopPrice < order.stopPrice || (a.stopPrice === order.stopPrice && a.orderId > order.orderId);
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(list[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, order);
  }

  remove(order: PendingOrder): void {
    const list = order.trailingDelta !== 0 ? this.trailing : order.triggersAbove ? this.rising : this.falling;
    const at = list.lastIndexOf(order);
    if (at >= 0) list.splice(at, 1);
  }

  /**
   * Takes out every order a trade at `price` triggers, oldest first, and moves the trailing stops
   * that it does not trigger. Returns null when it triggers none (the usual case: no allocation).
   */
  triggeredAt(price: number): PendingOrder[] | null {
    const rising = this.rising;
    const falling = this.falling;
    const trailing = this.trailing;
    const risingHit = rising.length > 0 && rising[rising.length - 1]!.stopPrice <= price;
    const fallingHit = falling.length > 0 && falling[falling.length - 1]!.stopPrice >= price;
    let fired: PendingOrder[] | null = risingHit || fallingHit ? [] : null;
    while (rising.length > 0 && rising[rising.length - 1]!.stopPrice <= price) fired!.push(rising.pop()!);
    while (falling.length > 0 && falling[falling.length - 1]!.stopPrice >= price) fired!.push(falling.pop()!);
    let kept = 0;
    for (let i = 0; i < trailing.length; i++) {
      const order = trailing[i]!;
      if (trailingStep(order, price)) {
        if (fired === null) fired = [];
        fired.push(order);
      } else {
        trailing[kept++] = order;
      }
    }
    trailing.length = kept;
    if (fired !== null && fired.length > 1) fired.sort((a, b) => a.orderId - b.orderId);
    return fired;
  }
}

/**
 * One trade price for a trailing stop: starts it tracking once its stop price condition holds (at
 * once when it has no stop price), then keeps the best price and reports whether this one triggers.
 */
function trailingStep(order: PendingOrder, price: number): boolean {
  if (!order.tracking) {
    const stop = order.stopPrice;
    if (stop === 0 || (order.triggersAbove ? price >= stop : price <= stop)) {
      order.tracking = true;
      order.extreme = price;
    }
    return false;
  }
  if (order.side === 'BUY' ? price < order.extreme : price > order.extreme) {
    order.extreme = price;
    return false;
  }
  return trailingTriggers(order, price);
}

/**
 * Every waiting order: by id, by each user's client order ids, per user in placement order, and per
 * market. Trades report their prices here in the order they happen; the engine then takes the
 * orders they trigger, price by price, when the command's own matching is done.
 */
export class ConditionalOrders {
  private readonly byId = new Map<number, PendingOrder>();
  private readonly byUser = new Map<number, Map<number, PendingOrder>>();
  private readonly byClient = new Map<number, Map<string, PendingOrder>>();
  private readonly markets = new Map<string, MarketTriggers>();
  // The queue of trade prices: written by index and rewound, never truncated, so that a command
  // with trades allocates nothing here once the arrays have grown to its size.
  private readonly queuedMarkets: MarketTriggers[] = [];
  private readonly queuedPrices: number[] = [];
  private queueHead = 0;
  private queueLength = 0;

  get size(): number {
    return this.byId.size;
  }

  get(orderId: number): PendingOrder | undefined {
    return this.byId.get(orderId);
  }

  all(): IterableIterator<PendingOrder> {
    return this.byId.values();
  }

  byClientId(userId: number, clientOrderId: string): PendingOrder | undefined {
    return this.byClient.get(userId)?.get(clientOrderId);
  }

  /** The user's waiting orders, oldest first (a copy: safe to cancel while iterating). */
  ofUser(userId: number): PendingOrder[] {
    const orders = this.byUser.get(userId);
    return orders === undefined ? [] : [...orders.values()];
  }

  add(order: PendingOrder): void {
    this.byId.set(order.orderId, order);
    let mine = this.byUser.get(order.userId);
    if (mine === undefined) {
      mine = new Map();
      this.byUser.set(order.userId, mine);
    }
    mine.set(order.orderId, order);
    if (order.clientIdChosen) {
      let clients = this.byClient.get(order.userId);
      if (clients === undefined) {
        clients = new Map();
        this.byClient.set(order.userId, clients);
      }
      clients.set(order.clientOrderId, order);
    }
    this.marketOf(order.symbol).add(order);
  }

  /** Takes the order out of every index; `fromBook` false when its market's book already let it go. */
  remove(order: PendingOrder, fromBook = true): void {
    this.byId.delete(order.orderId);
    this.byUser.get(order.userId)?.delete(order.orderId);
    if (order.clientIdChosen) this.byClient.get(order.userId)?.delete(order.clientOrderId);
    if (fromBook) this.markets.get(order.symbol)?.remove(order);
  }

  marketOf(symbol: string): MarketTriggers {
    let triggers = this.markets.get(symbol);
    if (triggers === undefined) {
      triggers = new MarketTriggers();
      this.markets.set(symbol, triggers);
    }
    return triggers;
  }

  /** A trade happened: queue its price if any order waits on its market. Called for every trade. */
  onTrade(symbol: string, price: number): void {
    if (this.byId.size === 0) return;
    const triggers = this.markets.get(symbol);
    if (triggers === undefined || triggers.size === 0) return;
    this.queuedMarkets[this.queueLength] = triggers;
    this.queuedPrices[this.queueLength] = price;
    this.queueLength++;
  }

  get hasQueued(): boolean {
    return this.queueHead < this.queueLength;
  }

  /**
   * The orders the next queued trade price triggers (taken out of every index, oldest first) and that
   * price, or null when no queued price is left. Prices queued meanwhile are checked after, in order.
   */
  nextTriggered(): { readonly orders: PendingOrder[]; readonly price: number } | null {
    while (this.queueHead < this.queueLength) {
      const at = this.queueHead++;
      const price = this.queuedPrices[at]!;
      const fired = this.queuedMarkets[at]!.triggeredAt(price);
      if (fired === null) continue;
      for (const order of fired) this.remove(order, false);
      return { orders: fired, price };
    }
    this.queueHead = 0;
    this.queueLength = 0;
    return null;
  }
}
