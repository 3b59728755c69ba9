import type { EngineEvent } from '../../domain/events.ts';
import {
  acceptedOrder,
  afterEnd,
  afterTrade,
  afterTriggered,
  filledInCommand,
} from '../../storage/order-status.ts';
import type { OrderRow } from '../../storage/read-model-rows.ts';

/**
 * The gateway's own view of orders, followed from the engine's events: every open order, and the
 * last `endedCapacity` that ended. It lets a cancel answer with the whole order (price, side, type,
 * quantities) the moment the engine has applied it, without waiting for the read model to catch up.
 * Rows are shaped as the read model's and follow its rules (storage/order-status.ts), so the same
 * wire code formats both and an order's status and version agree wherever it is read.
 */
export class OrderIndex {
  readonly #open = new Map<number, OrderRow>();
  readonly #ended = new Map<number, OrderRow>();
  /**
   * The ended orders' ids in the order they ended, as a ring: the oldest is evicted by position.
   * Taking a Map's first key instead walks past every entry deleted before it, which grows with
   * each eviction until the table is rebuilt (tens of microseconds per ended order at capacity).
   */
  readonly #endedRing: Float64Array;
  #endedNext = 0;

  constructor(endedCapacity = 65_536) {
    if (!(Number.isInteger(endedCapacity) && endedCapacity > 0)) {
      throw new RangeError(`endedCapacity must be a positive integer, got ${endedCapacity}`);
    }
    this.#endedRing = new Float64Array(endedCapacity);
  }

  /** Call with each command's events, in order: one command's whole events per call. */
  apply(events: readonly EngineEvent[]): void {
    let filled: Set<number> | undefined;
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      switch (event.type) {
        case 'OrderAccepted':
          this.#open.set(event.orderId, acceptedOrder(event));
          break;
        case 'OrderTriggered': {
          const row = this.#open.get(event.orderId);
          if (row !== undefined) this.#open.set(event.orderId, afterTriggered(row, event));
          break;
        }
        case 'Trade': {
          filled ??= filledInCommand(events, i);
          for (const [orderId, executedQty] of [
            [event.takerOrderId, event.takerExecutedQty],
            [event.makerOrderId, event.makerExecutedQty],
          ] as const) {
            const row = this.#open.get(orderId);
            if (row !== undefined) {
              this.#open.set(orderId, afterTrade(row, executedQty, event, filled.has(orderId)).order);
            }
          }
          break;
        }
        case 'OrderFilled':
        case 'OrderCanceled':
        case 'OrderExpired': {
          const row = this.#open.get(event.orderId);
          if (row === undefined) break;
          this.#open.delete(event.orderId);
          this.#ended.set(event.orderId, afterEnd(row, event));
          this.#remember(event.orderId);
          break;
        }
      }
    }
  }

  /** The order, open or recently ended; undefined if unknown or ended long ago. */
  get(orderId: number): OrderRow | undefined {
    return this.#open.get(orderId) ?? this.#ended.get(orderId);
  }

  /** Records that `orderId` ended, forgetting the order that ended longest ago once at capacity. */
  #remember(orderId: number): void {
    const ring = this.#endedRing;
    const slot = this.#endedNext % ring.length;
    // An order ends once, so the ring holds exactly the ended map's keys.
    if (this.#endedNext >= ring.length) this.#ended.delete(ring[slot]!);
    ring[slot] = orderId;
    this.#endedNext++;
  }
}
