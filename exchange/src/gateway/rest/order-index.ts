import type { EngineEvent, OrderAccepted } from '../../domain/events.ts';
import { isConditionalOrderType } from '../../domain/market.ts';
import { finalStatus } from '../../storage/order-status.ts';
import type { OrderRow } from '../../storage/read-model-rows.ts';

/**
 * The gateway's own view of orders, followed from the engine's events: every open order, and the
 * last `endedCapacity` that ended. It lets a cancel answer with the whole order (price, side, type,
 * quantities) the moment the engine has applied it, without waiting for the read model to catch up.
 * Rows are shaped as the read model's, so the same wire code formats both.
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

  /** Call with each command's events, in order. */
  apply(events: readonly EngineEvent[]): void {
    for (const event of events) {
      switch (event.type) {
        case 'OrderAccepted':
          this.#open.set(event.orderId, rowOf(event));
          break;
        case 'OrderTriggered': {
          const row = this.#open.get(event.orderId);
          if (row !== undefined) {
            this.#open.set(event.orderId, {
              ...row,
              workingTs: event.ts,
              updatedSeq: event.seq,
              updatedTs: event.ts,
            });
          }
          break;
        }
        case 'Trade':
          this.#fill(event.takerOrderId, event.takerExecutedQty, event.quoteQuantity, event.seq, event.ts);
          this.#fill(event.makerOrderId, event.makerExecutedQty, event.quoteQuantity, event.seq, event.ts);
          break;
        case 'OrderFilled':
        case 'OrderCanceled':
        case 'OrderExpired': {
          const row = this.#open.get(event.orderId);
          if (row === undefined) break;
          this.#open.delete(event.orderId);
          const status = finalStatus(event);
          this.#ended.set(event.orderId, {
            ...row,
            status,
            statusReason: 'reason' in event ? event.reason : '',
            executedQty: event.executedQty,
            cumulativeQuoteQty: event.cumulativeQuoteQty,
            updatedSeq: event.seq,
            updatedTs: event.ts,
            version: row.version + 1,
          });
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

  #fill(orderId: number, executedQty: number, quote: number, seq: number, ts: number): void {
    const row = this.#open.get(orderId);
    if (row === undefined) return;
    this.#open.set(orderId, {
      ...row,
      status: 'PARTIALLY_FILLED',
      executedQty,
      cumulativeQuoteQty: row.cumulativeQuoteQty + quote,
      updatedSeq: seq,
      updatedTs: ts,
      version: row.status === 'NEW' ? row.version + 1 : row.version,
    });
  }
}

function rowOf(o: OrderAccepted): OrderRow {
  return {
    orderId: o.orderId,
    symbol: o.symbol,
    userId: o.userId,
    clientOrderId: o.clientOrderId,
    side: o.side,
    orderType: o.orderType,
    timeInForce: o.timeInForce,
    price: o.price,
    origQty: o.quantity,
    origQuoteOrderQty: o.quoteOrderQty,
    executedQty: 0,
    cumulativeQuoteQty: 0,
    status: 'NEW',
    statusReason: '',
    stpMode: o.stpMode,
    createdSeq: o.seq,
    createdTs: o.ts,
    updatedSeq: o.seq,
    updatedTs: o.ts,
    version: 1,
    stopPrice: o.stopPrice,
    trailingDelta: o.trailingDelta,
    workingTs: isConditionalOrderType(o.orderType) ? -1 : o.ts,
  };
}
