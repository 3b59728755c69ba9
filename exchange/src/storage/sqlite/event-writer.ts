import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type {
  BalanceChanged,
  EngineEvent,
  OrderAccepted,
  OrderCanceled,
  OrderExpired,
  OrderFilled,
  Trade,
} from '../../domain/events.ts';
import { isConditionalOrderType } from '../../domain/market.ts';
import { CandleAccumulator } from '../candle-accumulator.ts';
import { postingsOf } from '../ledger-postings.ts';
import { finalStatus } from '../order-status.ts';
import type { OrderStatus } from '../read-model-rows.ts';

const POSTING_COLUMNS = 8;
const POSTINGS_PER_INSERT = 64;

/** A projection fault: the events contradict the rows (an order unknown, seqs out of order). */
export class ProjectionFaultError extends Error {
  readonly code = 'PROJECTION_FAULT';
}

interface OrderState {
  readonly status: OrderStatus;
  readonly version: number;
  readonly cumulativeQuoteQty: number;
}

/**
 * Writes events as rows through prepared statements. It runs inside the transaction the read model
 * opens per batch and never commits itself.
 */
export class EventWriter {
  readonly #candles = new CandleAccumulator();
  readonly #insertAsset: StatementSync;
  readonly #insertMarket: StatementSync;
  readonly #setMarketStatus: StatementSync;
  readonly #insertPosting: StatementSync;
  readonly #insertPostings: StatementSync;
  readonly #upsertBalance: StatementSync;
  readonly #insertWithdrawal: StatementSync;
  readonly #setWithdrawalStatus: StatementSync;
  readonly #insertOrder: StatementSync;
  readonly #orderTriggered: StatementSync;
  readonly #selectOrderState: StatementSync;
  readonly #updateOrder: StatementSync;
  readonly #insertStatus: StatementSync;
  readonly #insertTrade: StatementSync;
  readonly #upsertCandle: StatementSync;

  /** Posting columns, flat, written in multi-row inserts at the end of the batch. */
  #postings: (number | string)[] = [];
  /** The newest reported balance per user and asset in this batch; only the last one is stored. */
  readonly #balances = new Map<string, readonly [number, string, number, number, number]>();
  /** Postings are numbered per command; the counter restarts when the seq changes. */
  #postingSeq = -1;
  #entryNo = 0;
  /** Orders that an OrderFilled of the current command completes; computed at its first Trade. */
  #filledSeq = -1;
  readonly #filledInCommand = new Set<number>();

  constructor(db: DatabaseSync) {
    this.#insertAsset = db.prepare('INSERT INTO assets (asset, decimals, added_seq) VALUES (?, ?, ?)');
    this.#insertMarket = db.prepare(
      `INSERT INTO markets (symbol, base, quote, tick_size, lot_size, min_qty, max_qty, min_notional,
        maker_fee_ppm, taker_fee_ppm, default_stp_mode, status, listed_seq, updated_seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'TRADING', ?, ?)`,
    );
    this.#setMarketStatus = db.prepare('UPDATE markets SET status = ?, updated_seq = ? WHERE symbol = ?');
    this.#insertPosting = db.prepare(
      `INSERT INTO postings (seq, entry_no, ts, user_id, account, asset, amount, reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // One native call per posting dominated the write path; POSTINGS_PER_INSERT rows per call cut it.
    this.#insertPostings = db.prepare(
      `INSERT INTO postings (seq, entry_no, ts, user_id, account, asset, amount, reason) VALUES
       ${Array.from({ length: POSTINGS_PER_INSERT }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
    );
    this.#upsertBalance = db.prepare(
      `INSERT INTO balances (user_id, asset, available, locked, seq) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (user_id, asset) DO UPDATE
       SET available = excluded.available, locked = excluded.locked, seq = excluded.seq`,
    );
    this.#insertWithdrawal = db.prepare(
      `INSERT INTO withdrawals (withdrawal_id, user_id, asset, amount, status, requested_seq, requested_ts,
        updated_seq, updated_ts) VALUES (?, ?, ?, ?, 'REQUESTED', ?, ?, ?, ?)`,
    );
    this.#setWithdrawalStatus = db.prepare(
      'UPDATE withdrawals SET status = ?, updated_seq = ?, updated_ts = ? WHERE withdrawal_id = ?',
    );
    this.#insertOrder = db.prepare(
      `INSERT INTO orders (order_id, symbol, user_id, client_order_id, side, order_type, time_in_force, price,
        orig_qty, orig_quote_order_qty, executed_qty, cumulative_quote_qty, status, status_reason, stp_mode,
        created_seq, created_ts, updated_seq, updated_ts, version, stop_price, trailing_delta, working_ts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 'NEW', '', ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
    );
    this.#orderTriggered = db.prepare(
      'UPDATE orders SET working_ts = ?, updated_seq = ?, updated_ts = ? WHERE order_id = ?',
    );
    this.#selectOrderState = db.prepare(
      `SELECT status, version, cumulative_quote_qty AS cumulativeQuoteQty FROM orders WHERE order_id = ?`,
    );
    this.#updateOrder = db.prepare(
      `UPDATE orders SET executed_qty = ?, cumulative_quote_qty = ?, status = ?, status_reason = ?,
        version = ?, updated_seq = ?, updated_ts = ? WHERE order_id = ?`,
    );
    this.#insertStatus = db.prepare(
      `INSERT INTO order_status_history (order_id, version, status, executed_qty, cumulative_quote_qty, reason,
        seq, ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#insertTrade = db.prepare(
      `INSERT INTO trades (trade_id, symbol, price, quantity, quote_quantity, taker_side, taker_order_id,
        taker_user_id, maker_order_id, maker_user_id, taker_fee, maker_fee, seq, ts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // The same merge as CandleAccumulator's, so a partial candle folds into a stored one.
    this.#upsertCandle = db.prepare(
      `INSERT INTO candles (symbol, interval, open_time, close_time, open, high, low, close, volume,
        quote_volume, taker_buy_volume, taker_buy_quote_volume, trade_count, first_trade_id, last_trade_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (symbol, interval, open_time) DO UPDATE SET
        high = max(high, excluded.high), low = min(low, excluded.low), close = excluded.close,
        volume = volume + excluded.volume, quote_volume = quote_volume + excluded.quote_volume,
        taker_buy_volume = taker_buy_volume + excluded.taker_buy_volume,
        taker_buy_quote_volume = taker_buy_quote_volume + excluded.taker_buy_quote_volume,
        trade_count = trade_count + excluded.trade_count, last_trade_id = excluded.last_trade_id`,
    );
  }

  /**
   * Writes the events above `lastSeq`, in order, and returns how many it wrote. On a throw the
   * caller rolls the transaction back and must call `discard()`.
   */
  write(events: readonly EngineEvent[], lastSeq: number): number {
    let applied = 0;
    let previousSeq = lastSeq;
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      if (event.seq <= lastSeq) continue;
      if (event.seq < previousSeq) {
        throw new ProjectionFaultError(
          `event seq ${event.seq} follows seq ${previousSeq}: events must be in order`,
        );
      }
      previousSeq = event.seq;
      this.#apply(events, i);
      applied++;
    }
    this.#flushPostings();
    for (const row of this.#balances.values()) this.#upsertBalance.run(...row);
    this.#balances.clear();
    for (const c of this.#candles.drain()) {
      this.#upsertCandle.run(
        c.symbol,
        c.interval,
        c.openTime,
        c.closeTime,
        c.open,
        c.high,
        c.low,
        c.close,
        c.volume,
        c.quoteVolume,
        c.takerBuyVolume,
        c.takerBuyQuoteVolume,
        c.tradeCount,
        c.firstTradeId,
        c.lastTradeId,
      );
    }
    return applied;
  }

  /** Forgets the state of a batch that was rolled back. */
  discard(): void {
    this.#candles.clear();
    this.#postings = [];
    this.#balances.clear();
    this.#postingSeq = -1;
    this.#filledSeq = -1;
  }

  #apply(events: readonly EngineEvent[], index: number): void {
    const event = events[index]!;
    switch (event.type) {
      case 'AssetAdded':
        this.#insertAsset.run(event.asset, event.decimals, event.seq);
        return;
      case 'MarketListed': {
        const m = event.market;
        this.#insertMarket.run(
          m.symbol,
          m.base,
          m.quote,
          m.tickSize,
          m.lotSize,
          m.minQty,
          m.maxQty,
          m.minNotional,
          m.makerFeePpm,
          m.takerFeePpm,
          m.defaultStpMode,
          event.seq,
          event.seq,
        );
        return;
      }
      case 'MarketHalted':
        this.#setMarketStatus.run('HALTED', event.seq, event.symbol);
        return;
      case 'MarketResumed':
        this.#setMarketStatus.run('TRADING', event.seq, event.symbol);
        return;
      case 'BalanceChanged':
        this.#balanceChanged(event);
        return;
      case 'WithdrawalRequested':
        this.#insertWithdrawal.run(
          event.withdrawalId,
          event.userId,
          event.asset,
          event.amount,
          event.seq,
          event.ts,
          event.seq,
          event.ts,
        );
        return;
      case 'WithdrawalCompleted':
        this.#setWithdrawalStatus.run('COMPLETED', event.seq, event.ts, event.withdrawalId);
        return;
      case 'WithdrawalFailed':
        this.#setWithdrawalStatus.run('FAILED', event.seq, event.ts, event.withdrawalId);
        return;
      case 'OrderAccepted':
        this.#orderAccepted(event);
        return;
      case 'OrderTriggered':
        // Still NEW, as Binance shows a triggered stop: it is working from now on.
        this.#orderTriggered.run(event.ts, event.seq, event.ts, event.orderId);
        return;
      case 'Trade':
        this.#trade(event, events, index);
        return;
      case 'OrderFilled':
      case 'OrderCanceled':
      case 'OrderExpired':
        this.#orderEnded(event);
        return;
      case 'Rejected':
        // A rejected command changed nothing, so it leaves no row; only the position moves past it.
        return;
    }
  }

  #balanceChanged(event: BalanceChanged): void {
    if (event.seq !== this.#postingSeq) {
      this.#postingSeq = event.seq;
      this.#entryNo = 0;
    }
    for (const p of postingsOf(event)) {
      this.#postings.push(
        event.seq,
        this.#entryNo++,
        event.ts,
        p.userId,
        p.account,
        event.asset,
        p.amount,
        event.reason,
      );
    }
    this.#balances.set(`${event.userId}\u0000${event.asset}`, [
      event.userId,
      event.asset,
      event.available,
      event.locked,
      event.seq,
    ]);
  }

  #flushPostings(): void {
    const values = this.#postings;
    const chunk = POSTINGS_PER_INSERT * POSTING_COLUMNS;
    let i = 0;
    for (; i + chunk <= values.length; i += chunk) this.#insertPostings.run(...values.slice(i, i + chunk));
    for (; i < values.length; i += POSTING_COLUMNS) {
      this.#insertPosting.run(...values.slice(i, i + POSTING_COLUMNS));
    }
    this.#postings = [];
  }

  #orderAccepted(event: OrderAccepted): void {
    this.#insertOrder.run(
      event.orderId,
      event.symbol,
      event.userId,
      event.clientOrderId,
      event.side,
      event.orderType,
      event.timeInForce,
      event.price,
      event.quantity,
      event.quoteOrderQty,
      event.stpMode,
      event.seq,
      event.ts,
      event.seq,
      event.ts,
      event.stopPrice,
      event.trailingDelta,
      isConditionalOrderType(event.orderType) ? -1 : event.ts,
    );
    this.#insertStatus.run(event.orderId, 1, 'NEW', 0, 0, '', event.seq, event.ts);
  }

  #trade(trade: Trade, events: readonly EngineEvent[], index: number): void {
    this.#insertTrade.run(
      trade.tradeId,
      trade.symbol,
      trade.price,
      trade.quantity,
      trade.quoteQuantity,
      trade.takerSide,
      trade.takerOrderId,
      trade.takerUserId,
      trade.makerOrderId,
      trade.makerUserId,
      trade.takerFee,
      trade.makerFee,
      trade.seq,
      trade.ts,
    );
    this.#candles.add(trade);
    if (this.#filledSeq !== trade.seq) this.#collectFills(events, index);
    this.#orderTraded(trade.takerOrderId, trade.takerExecutedQty, trade);
    this.#orderTraded(trade.makerOrderId, trade.makerExecutedQty, trade);
  }

  /**
   * A trade leaves an order PARTIALLY_FILLED unless the same command then fills it: an order filled
   * by one command goes NEW -> FILLED, as Binance reports it. The command's events are all in this
   * batch, so looking ahead is enough.
   */
  #collectFills(events: readonly EngineEvent[], from: number): void {
    const seq = events[from]!.seq;
    this.#filledSeq = seq;
    this.#filledInCommand.clear();
    for (let i = from; i < events.length; i++) {
      const event = events[i]!;
      if (event.seq !== seq) break;
      if (event.type === 'OrderFilled') this.#filledInCommand.add(event.orderId);
    }
  }

  #orderTraded(orderId: number, executedQty: number, trade: Trade): void {
    const order = this.#orderState(orderId);
    const cumulativeQuoteQty = order.cumulativeQuoteQty + trade.quoteQuantity;
    const becomesPartial = order.status === 'NEW' && !this.#filledInCommand.has(orderId);
    const status: OrderStatus = becomesPartial ? 'PARTIALLY_FILLED' : order.status;
    const version = becomesPartial ? order.version + 1 : order.version;
    this.#updateOrder.run(executedQty, cumulativeQuoteQty, status, '', version, trade.seq, trade.ts, orderId);
    if (becomesPartial) {
      this.#insertStatus.run(
        orderId,
        version,
        status,
        executedQty,
        cumulativeQuoteQty,
        '',
        trade.seq,
        trade.ts,
      );
    }
  }

  #orderEnded(event: OrderFilled | OrderCanceled | OrderExpired): void {
    const order = this.#orderState(event.orderId);
    const status = finalStatus(event);
    const reason = event.type === 'OrderFilled' ? '' : event.reason;
    const version = order.version + 1;
    this.#updateOrder.run(
      event.executedQty,
      event.cumulativeQuoteQty,
      status,
      reason,
      version,
      event.seq,
      event.ts,
      event.orderId,
    );
    this.#insertStatus.run(
      event.orderId,
      version,
      status,
      event.executedQty,
      event.cumulativeQuoteQty,
      reason,
      event.seq,
      event.ts,
    );
  }

  #orderState(orderId: number): OrderState {
    const row = this.#selectOrderState.get(orderId) as OrderState | undefined;
    if (row === undefined) throw new ProjectionFaultError(`order ${orderId} is not in the read model`);
    return row;
  }
}
