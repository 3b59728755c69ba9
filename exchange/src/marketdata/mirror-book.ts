import type { Amount } from '../domain/amount.ts';
import type { Side } from '../domain/market.ts';
import { BookLevels } from './book-levels.ts';
import type { PriceLevelRow } from './market-data-view.ts';

interface MirrorOrder {
  readonly side: Side;
  readonly price: Amount;
  remaining: Amount;
}

/**
 * A book rebuilt from events alone: each resting order's side, price and remaining quantity, and the
 * levels they add up to. It records which levels a command changed (their new quantities, 0 for a
 * level that emptied), which is exactly a Binance depth diff.
 */
export class MirrorBook {
  readonly bids = new BookLevels('BUY');
  readonly asks = new BookLevels('SELL');
  private readonly orders = new Map<number, MirrorOrder>();
  private readonly changedBids = new Map<Amount, Amount>();
  private readonly changedAsks = new Map<Amount, Amount>();

  get orderCount(): number {
    return this.orders.size;
  }

  has(orderId: number): boolean {
    return this.orders.has(orderId);
  }

  /** Resting orders' remaining quantities by order id (for checks against the engine). */
  remainingByOrder(): Map<number, Amount> {
    const out = new Map<number, Amount>();
    for (const [id, order] of this.orders) out.set(id, order.remaining);
    return out;
  }

  rest(orderId: number, side: Side, price: Amount, remaining: Amount): void {
    if (remaining <= 0) return;
    if (this.orders.has(orderId)) throw new Error(`order ${orderId} already rests in the mirror`);
    this.orders.set(orderId, { side, price, remaining });
    this.adjust(side, price, remaining);
  }

  /** A maker traded `quantity`; a filled maker stays until its OrderFilled removes it. */
  fill(orderId: number, quantity: Amount): void {
    const order = this.orders.get(orderId);
    if (order === undefined) throw new Error(`maker ${orderId} is not in the mirror`);
    if (quantity > order.remaining) throw new Error(`maker ${orderId} filled past its remaining quantity`);
    order.remaining -= quantity;
    this.adjust(order.side, order.price, -quantity);
  }

  /** Takes an order off the book (filled, canceled or expired); false when it was not resting. */
  remove(orderId: number): boolean {
    const order = this.orders.get(orderId);
    if (order === undefined) return false;
    this.orders.delete(orderId);
    if (order.remaining > 0) this.adjust(order.side, order.price, -order.remaining);
    return true;
  }

  get changed(): boolean {
    return this.changedBids.size > 0 || this.changedAsks.size > 0;
  }

  /** The levels changed since the last call, with their quantities now; clears the record. */
  takeChanges(): { bids: PriceLevelRow[]; asks: PriceLevelRow[] } {
    const bids: PriceLevelRow[] = [];
    const asks: PriceLevelRow[] = [];
    for (const [price, quantity] of this.changedBids) bids.push([price, quantity]);
    for (const [price, quantity] of this.changedAsks) asks.push([price, quantity]);
    this.changedBids.clear();
    this.changedAsks.clear();
    return { bids, asks };
  }

  private adjust(side: Side, price: Amount, delta: number): void {
    if (side === 'BUY') this.changedBids.set(price, this.bids.adjust(price, delta));
    else this.changedAsks.set(price, this.asks.adjust(price, delta));
  }
}
