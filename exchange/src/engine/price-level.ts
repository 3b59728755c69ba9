import type { RestingOrder } from './order.ts';

/** All orders at one price, oldest first: a doubly linked FIFO queue, so time priority is its order. */
export class PriceLevel {
  /** Changed only by reset, when the book side reuses an emptied level. */
  price: number;
  head: RestingOrder | null = null;
  tail: RestingOrder | null = null;
  totalQuantity = 0;
  orderCount = 0;

  constructor(price: number) {
    this.price = price;
  }

  /** Readies an emptied level for another price. */
  reset(price: number): this {
    this.price = price;
    this.head = null;
    this.tail = null;
    this.totalQuantity = 0;
    this.orderCount = 0;
    return this;
  }

  append(order: RestingOrder): void {
    order.level = this;
    order.prev = this.tail;
    order.next = null;
    if (this.tail === null) this.head = order;
    else this.tail.next = order;
    this.tail = order;
    this.totalQuantity += order.remaining;
    this.orderCount++;
  }

  remove(order: RestingOrder): void {
    if (order.prev === null) this.head = order.next;
    else order.prev.next = order.next;
    if (order.next === null) this.tail = order.prev;
    else order.next.prev = order.prev;
    this.totalQuantity -= order.remaining;
    this.orderCount--;
    order.level = null;
    order.prev = null;
    order.next = null;
  }
}
