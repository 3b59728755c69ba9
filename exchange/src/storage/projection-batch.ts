import type { EngineEvent, MarketListed, WithdrawalRequested } from '../domain/events.ts';
import { CandleAccumulator } from './candle-accumulator.ts';
import { postingsOf } from './ledger-postings.ts';
import { acceptedOrder, afterEnd, afterTrade, afterTriggered, filledInCommand } from './order-status.ts';
import type {
  AssetRow,
  BalanceRow,
  CandleRow,
  MarketRow,
  OrderRow,
  OrderStatusRow,
  PostingRow,
  TradeRow,
  WithdrawalRow,
  WithdrawalStatus,
} from './read-model-rows.ts';

/** A projection fault: the events contradict the rows (an order unknown, seqs out of order). */
export class ProjectionFaultError extends Error {
  readonly code = 'PROJECTION_FAULT';
}

/**
 * Everything one batch of events changes, as rows. The rules of the projection (an order's status
 * and version, postings and their numbers, the newest balance, candles) are applied here, once, so
 * that an adapter only stores: it inserts the new rows, overwrites the changed ones and merges the
 * partial candles into its stored ones (CandleAccumulator's merge, as an upsert).
 */
export interface BatchRows {
  /** Events above the stored position, that is, the events this batch writes. */
  readonly applied: number;
  readonly assets: readonly AssetRow[];
  /** Markets listed in this batch, in their status at its end. */
  readonly newMarkets: readonly MarketRow[];
  /** Status of markets listed before this batch, the newest per symbol. */
  readonly marketStatus: readonly Pick<MarketRow, 'symbol' | 'status' | 'updatedSeq'>[];
  /** Orders accepted in this batch, in their state at its end. */
  readonly newOrders: readonly OrderRow[];
  /** Orders accepted before this batch that it changed, whole, in their state at its end. */
  readonly changedOrders: readonly OrderRow[];
  readonly orderStatus: readonly OrderStatusRow[];
  readonly trades: readonly TradeRow[];
  readonly postings: readonly PostingRow[];
  /** The newest reported balance per user and asset; one row each, whatever the batch held. */
  readonly balances: readonly BalanceRow[];
  /** Partial candles, one per (symbol, interval, bucket), to merge into the stored ones. */
  readonly candles: readonly CandleRow[];
  /** Withdrawals requested in this batch, in their status at its end. */
  readonly newWithdrawals: readonly WithdrawalRow[];
  /** Status of withdrawals requested before this batch, the newest per withdrawal. */
  readonly withdrawalStatus: readonly Pick<
    WithdrawalRow,
    'withdrawalId' | 'status' | 'updatedSeq' | 'updatedTs'
  >[];
}

/**
 * Plans the rows of one batch in two steps, because an order traded or ended in this batch may have
 * been accepted in an earlier one: `priorOrderIds` names those, the adapter reads them (one query for
 * all), and `rows` computes the batch from them.
 */
export class ProjectionBatch {
  readonly #events: readonly EngineEvent[];
  /** Where the events above the stored position start. */
  readonly #from: number;
  readonly #priorOrderIds: number[];

  /** Throws a ProjectionFaultError if the events above `lastSeq` are out of seq order. */
  constructor(events: readonly EngineEvent[], lastSeq: number) {
    this.#events = events;
    let from = 0;
    while (from < events.length && events[from]!.seq <= lastSeq) from++;
    this.#from = from;
    const accepted = new Set<number>();
    const prior = new Set<number>();
    const need = (orderId: number) => {
      if (!accepted.has(orderId)) prior.add(orderId);
    };
    let previousSeq = lastSeq;
    for (let i = from; i < events.length; i++) {
      const event = events[i]!;
      if (event.seq < previousSeq) {
        throw new ProjectionFaultError(
          `event seq ${event.seq} follows seq ${previousSeq}: events must be in order`,
        );
      }
      previousSeq = event.seq;
      switch (event.type) {
        case 'OrderAccepted':
          accepted.add(event.orderId);
          break;
        case 'Trade':
          need(event.takerOrderId);
          need(event.makerOrderId);
          break;
        case 'OrderTriggered':
        case 'OrderFilled':
        case 'OrderCanceled':
        case 'OrderExpired':
          need(event.orderId);
          break;
      }
    }
    this.#priorOrderIds = [...prior];
  }

  /** Orders this batch changes that it did not accept: the adapter reads them before `rows`. */
  get priorOrderIds(): readonly number[] {
    return this.#priorOrderIds;
  }

  /**
   * The batch's rows, given the stored rows of `priorOrderIds` (by order id). Throws a
   * ProjectionFaultError for an order that is neither stored nor accepted in the batch.
   */
  rows(priorOrders: ReadonlyMap<number, OrderRow>): BatchRows {
    const events = this.#events;
    const assets: AssetRow[] = [];
    const newMarkets = new Map<string, MarketRow>();
    const marketStatus = new Map<string, Pick<MarketRow, 'symbol' | 'status' | 'updatedSeq'>>();
    const newOrders = new Map<number, OrderRow>();
    const changedOrders = new Map<number, OrderRow>();
    const orderStatus: OrderStatusRow[] = [];
    const trades: TradeRow[] = [];
    const postings: PostingRow[] = [];
    const balances = new Map<string, BalanceRow>();
    const candles = new CandleAccumulator();
    const newWithdrawals = new Map<string, WithdrawalRow>();
    const withdrawalStatus = new Map<
      string,
      Pick<WithdrawalRow, 'withdrawalId' | 'status' | 'updatedSeq' | 'updatedTs'>
    >();

    const orderOf = (orderId: number): OrderRow => {
      const order = newOrders.get(orderId) ?? changedOrders.get(orderId) ?? priorOrders.get(orderId);
      if (order === undefined) throw new ProjectionFaultError(`order ${orderId} is not in the read model`);
      return order;
    };
    const store = (order: OrderRow) => {
      if (newOrders.has(order.orderId)) newOrders.set(order.orderId, order);
      else changedOrders.set(order.orderId, order);
    };
    const recordStatus = (order: OrderRow, seq: number, ts: number) => {
      orderStatus.push({
        orderId: order.orderId,
        version: order.version,
        status: order.status,
        executedQty: order.executedQty,
        cumulativeQuoteQty: order.cumulativeQuoteQty,
        reason: order.statusReason,
        seq,
        ts,
      });
    };
    const setMarketStatus = (symbol: string, status: MarketRow['status'], seq: number) => {
      const listed = newMarkets.get(symbol);
      if (listed !== undefined) newMarkets.set(symbol, { ...listed, status, updatedSeq: seq });
      else marketStatus.set(symbol, { symbol, status, updatedSeq: seq });
    };
    const setWithdrawalStatus = (id: string, status: WithdrawalStatus, seq: number, ts: number) => {
      const requested = newWithdrawals.get(id);
      if (requested !== undefined) {
        newWithdrawals.set(id, { ...requested, status, updatedSeq: seq, updatedTs: ts });
      } else withdrawalStatus.set(id, { withdrawalId: id, status, updatedSeq: seq, updatedTs: ts });
    };

    /** Postings are numbered per command, from 0; a batch holds whole commands. */
    let postingSeq = -1;
    let entryNo = 0;
    /** The orders an OrderFilled of the current command completes, computed at its first Trade. */
    let filledSeq = -1;
    let filled = new Set<number>();

    for (let i = this.#from; i < events.length; i++) {
      const event = events[i]!;
      switch (event.type) {
        case 'AssetAdded':
          assets.push({ asset: event.asset, decimals: event.decimals, addedSeq: event.seq });
          break;
        case 'MarketListed':
          newMarkets.set(event.market.symbol, marketRow(event));
          break;
        case 'MarketHalted':
          setMarketStatus(event.symbol, 'HALTED', event.seq);
          break;
        case 'MarketResumed':
          setMarketStatus(event.symbol, 'TRADING', event.seq);
          break;
        case 'BalanceChanged': {
          if (event.seq !== postingSeq) {
            postingSeq = event.seq;
            entryNo = 0;
          }
          for (const p of postingsOf(event)) {
            postings.push({
              seq: event.seq,
              entryNo: entryNo++,
              ts: event.ts,
              userId: p.userId,
              account: p.account,
              asset: event.asset,
              amount: p.amount,
              reason: event.reason,
            });
          }
          balances.set(`${event.userId}\u0000${event.asset}`, {
            userId: event.userId,
            asset: event.asset,
            available: event.available,
            locked: event.locked,
            seq: event.seq,
          });
          break;
        }
        case 'WithdrawalRequested':
          newWithdrawals.set(event.withdrawalId, withdrawalRow(event));
          break;
        case 'WithdrawalCompleted':
          setWithdrawalStatus(event.withdrawalId, 'COMPLETED', event.seq, event.ts);
          break;
        case 'WithdrawalFailed':
          setWithdrawalStatus(event.withdrawalId, 'FAILED', event.seq, event.ts);
          break;
        case 'OrderAccepted': {
          const order = acceptedOrder(event);
          newOrders.set(order.orderId, order);
          recordStatus(order, event.seq, event.ts);
          break;
        }
        case 'OrderTriggered':
          // Not a status change, so no history row: the order stays NEW and starts working.
          store(afterTriggered(orderOf(event.orderId), event));
          break;
        case 'Trade': {
          trades.push({
            tradeId: event.tradeId,
            symbol: event.symbol,
            price: event.price,
            quantity: event.quantity,
            quoteQuantity: event.quoteQuantity,
            takerSide: event.takerSide,
            takerOrderId: event.takerOrderId,
            takerUserId: event.takerUserId,
            makerOrderId: event.makerOrderId,
            makerUserId: event.makerUserId,
            takerFee: event.takerFee,
            makerFee: event.makerFee,
            seq: event.seq,
            ts: event.ts,
          });
          candles.add(event);
          if (filledSeq !== event.seq) {
            filledSeq = event.seq;
            filled = filledInCommand(events, i);
          }
          for (const [orderId, executedQty] of [
            [event.takerOrderId, event.takerExecutedQty],
            [event.makerOrderId, event.makerExecutedQty],
          ] as const) {
            const next = afterTrade(orderOf(orderId), executedQty, event, filled.has(orderId));
            store(next.order);
            if (next.change !== undefined) recordStatus(next.order, event.seq, event.ts);
          }
          break;
        }
        case 'OrderFilled':
        case 'OrderCanceled':
        case 'OrderExpired': {
          const order = afterEnd(orderOf(event.orderId), event);
          store(order);
          recordStatus(order, event.seq, event.ts);
          break;
        }
        case 'Rejected':
          // A rejected command changed nothing, so it leaves no row; only the position moves past it.
          break;
      }
    }
    return {
      applied: events.length - this.#from,
      assets,
      newMarkets: [...newMarkets.values()],
      marketStatus: [...marketStatus.values()],
      newOrders: [...newOrders.values()],
      changedOrders: [...changedOrders.values()],
      orderStatus,
      trades,
      postings,
      balances: [...balances.values()],
      candles: candles.drain(),
      newWithdrawals: [...newWithdrawals.values()],
      withdrawalStatus: [...withdrawalStatus.values()],
    };
  }
}

function marketRow(event: MarketListed): MarketRow {
  return { ...event.market, status: 'TRADING', listedSeq: event.seq, updatedSeq: event.seq };
}

function withdrawalRow(event: WithdrawalRequested): WithdrawalRow {
  return {
    withdrawalId: event.withdrawalId,
    userId: event.userId,
    asset: event.asset,
    amount: event.amount,
    status: 'REQUESTED',
    requestedSeq: event.seq,
    requestedTs: event.ts,
    updatedSeq: event.seq,
    updatedTs: event.ts,
  };
}
