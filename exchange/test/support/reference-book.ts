import type { SelfTradePreventionMode, Side } from '../../src/domain/market.ts';

/**
 * An obviously correct order book, as the oracle for the engine: a plain array of orders, scanned in
 * full for the best price and then the earliest arrival on every step. No balances, no fees: it is
 * fed only orders that the engine accepts, with funds too large to bind.
 */
interface RefOrder {
  readonly id: number;
  readonly userId: number;
  readonly side: Side;
  readonly price: number;
  remaining: number;
  readonly arrival: number;
}

export interface RefTrade {
  readonly price: number;
  readonly quantity: number;
  readonly makerOrderId: number;
  readonly takerOrderId: number;
}

export interface RefOrderInput {
  readonly userId: number;
  readonly side: Side;
  readonly kind: 'LIMIT' | 'LIMIT_MAKER' | 'MARKET';
  readonly timeInForce: 'GTC' | 'IOC' | 'FOK';
  /** 0 for market orders. */
  readonly price: number;
  /** Base quantity, or 0 for a market buy by quote. */
  readonly quantity: number;
  /** Quote budget of a market buy by quote, else 0. */
  readonly quote: number;
  readonly stpMode: SelfTradePreventionMode;
}

export class ReferenceBook {
  private orders: RefOrder[] = [];
  private arrivals = 0;
  private nextId = 1;
  private readonly lot: number;
  private readonly baseScale: number;

  constructor(lot: number, baseScale: number) {
    this.lot = lot;
    this.baseScale = baseScale;
  }

  /** Returns the trades, or null when the order is refused (a LIMIT_MAKER that would take). */
  place(input: RefOrderInput): RefTrade[] | null {
    const crosses = (o: RefOrder) =>
      o.side !== input.side &&
      (input.price === 0 || (input.side === 'BUY' ? o.price <= input.price : o.price >= input.price));
    if (input.kind === 'LIMIT_MAKER' && this.orders.some(crosses)) return null;
    const id = this.nextId++;
    if (input.timeInForce === 'FOK' && !this.fokFillable(input, crosses)) return [];
    const trades: RefTrade[] = [];
    let remaining = input.quantity;
    let budget = input.quote;
    for (;;) {
      const candidates = this.orders.filter(crosses);
      if (candidates.length === 0) break;
      const maker = candidates.reduce((best, o) => (this.better(o, best) ? o : best));
      if (maker.userId === input.userId && input.stpMode !== 'NONE') {
        if (input.stpMode === 'EXPIRE_MAKER' || input.stpMode === 'EXPIRE_BOTH') this.remove(maker.id);
        if (input.stpMode === 'EXPIRE_TAKER' || input.stpMode === 'EXPIRE_BOTH') return trades;
        continue;
      }
      let quantity: number;
      if (input.quote > 0) {
        const affordable = Math.floor((budget * this.baseScale) / maker.price / this.lot) * this.lot;
        quantity = Math.min(maker.remaining, affordable);
        if (quantity === 0) return trades;
        budget -= (maker.price * quantity) / this.baseScale;
      } else {
        quantity = Math.min(maker.remaining, remaining);
        remaining -= quantity;
      }
      maker.remaining -= quantity;
      if (maker.remaining === 0) this.remove(maker.id);
      trades.push({ price: maker.price, quantity, makerOrderId: maker.id, takerOrderId: id });
      if (input.quote === 0 && remaining === 0) return trades;
    }
    if (input.kind !== 'MARKET' && input.timeInForce === 'GTC' && remaining > 0) {
      this.orders.push({
        id,
        userId: input.userId,
        side: input.side,
        price: input.price,
        remaining,
        arrival: this.arrivals++,
      });
    }
    return trades;
  }

  cancel(id: number): boolean {
    return this.remove(id);
  }

  /** Ids of the user's resting orders, oldest first. */
  openOrdersOf(userId: number): number[] {
    return this.orders
      .filter((o) => o.userId === userId)
      .sort((a, b) => a.arrival - b.arrival)
      .map((o) => o.id);
  }

  restingIds(): number[] {
    return this.orders.map((o) => o.id).sort((a, b) => a - b);
  }

  private fokFillable(input: RefOrderInput, crosses: (o: RefOrder) => boolean): boolean {
    const candidates = this.orders.filter(crosses).sort((a, b) => (this.better(a, b) ? -1 : 1));
    let wanted = input.quantity;
    for (const o of candidates) {
      if (o.userId === input.userId && input.stpMode !== 'NONE') {
        if (input.stpMode === 'EXPIRE_MAKER') continue;
        return false;
      }
      wanted -= o.remaining;
      if (wanted <= 0) return true;
    }
    return false;
  }

  private better(a: RefOrder, b: RefOrder): boolean {
    if (a.price !== b.price) return a.side === 'BUY' ? a.price > b.price : a.price < b.price;
    return a.arrival < b.arrival;
  }

  private remove(id: number): boolean {
    const before = this.orders.length;
    this.orders = this.orders.filter((o) => o.id !== id);
    return this.orders.length < before;
  }
}
