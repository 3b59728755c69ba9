import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { EngineEvent } from '../../domain/events.ts';
import { type BatchRows, ProjectionBatch } from '../projection-batch.ts';
import type { OrderRow } from '../read-model-rows.ts';
import { COLUMNS } from './schema.ts';

const POSTING_COLUMNS = 8;
const POSTINGS_PER_INSERT = 64;

/**
 * Stores a batch's rows (planned by ProjectionBatch, which holds the projection's rules) through
 * prepared statements. It runs inside the transaction the read model opens per batch and never
 * commits itself.
 */
export class EventWriter {
  readonly #insertAsset: StatementSync;
  readonly #insertMarket: StatementSync;
  readonly #setMarketStatus: StatementSync;
  readonly #insertPosting: StatementSync;
  readonly #insertPostings: StatementSync;
  readonly #upsertBalance: StatementSync;
  readonly #insertWithdrawal: StatementSync;
  readonly #setWithdrawalStatus: StatementSync;
  readonly #insertOrder: StatementSync;
  readonly #selectOrder: StatementSync;
  readonly #updateOrder: StatementSync;
  readonly #insertStatus: StatementSync;
  readonly #insertTrade: StatementSync;
  readonly #upsertCandle: StatementSync;

  constructor(db: DatabaseSync) {
    this.#insertAsset = db.prepare('INSERT INTO assets (asset, decimals, added_seq) VALUES (?, ?, ?)');
    this.#insertMarket = db.prepare(
      `INSERT INTO markets (symbol, base, quote, tick_size, lot_size, min_qty, max_qty, min_notional,
        maker_fee_ppm, taker_fee_ppm, default_stp_mode, status, listed_seq, updated_seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
        updated_seq, updated_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#setWithdrawalStatus = db.prepare(
      'UPDATE withdrawals SET status = ?, updated_seq = ?, updated_ts = ? WHERE withdrawal_id = ?',
    );
    this.#insertOrder = db.prepare(
      `INSERT INTO orders (order_id, symbol, user_id, client_order_id, side, order_type, time_in_force, price,
        orig_qty, orig_quote_order_qty, executed_qty, cumulative_quote_qty, status, status_reason, stp_mode,
        created_seq, created_ts, updated_seq, updated_ts, version, stop_price, trailing_delta, working_ts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#selectOrder = db.prepare(`SELECT ${COLUMNS.orders} FROM orders WHERE order_id = ?`);
    this.#updateOrder = db.prepare(
      `UPDATE orders SET executed_qty = ?, cumulative_quote_qty = ?, status = ?, status_reason = ?,
        version = ?, updated_seq = ?, updated_ts = ?, working_ts = ? WHERE order_id = ?`,
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
   * caller rolls the transaction back.
   */
  write(events: readonly EngineEvent[], lastSeq: number): number {
    const batch = new ProjectionBatch(events, lastSeq);
    const prior = new Map<number, OrderRow>();
    for (const orderId of batch.priorOrderIds) {
      const row = this.#selectOrder.get(orderId);
      if (row !== undefined) prior.set(orderId, { ...row } as unknown as OrderRow);
    }
    const rows = batch.rows(prior);
    for (const a of rows.assets) this.#insertAsset.run(a.asset, a.decimals, a.addedSeq);
    for (const m of rows.newMarkets) {
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
        m.status,
        m.listedSeq,
        m.updatedSeq,
      );
    }
    for (const m of rows.marketStatus) this.#setMarketStatus.run(m.status, m.updatedSeq, m.symbol);
    for (const o of rows.newOrders) {
      this.#insertOrder.run(
        o.orderId,
        o.symbol,
        o.userId,
        o.clientOrderId,
        o.side,
        o.orderType,
        o.timeInForce,
        o.price,
        o.origQty,
        o.origQuoteOrderQty,
        o.executedQty,
        o.cumulativeQuoteQty,
        o.status,
        o.statusReason,
        o.stpMode,
        o.createdSeq,
        o.createdTs,
        o.updatedSeq,
        o.updatedTs,
        o.version,
        o.stopPrice,
        o.trailingDelta,
        o.workingTs,
      );
    }
    for (const o of rows.changedOrders) {
      this.#updateOrder.run(
        o.executedQty,
        o.cumulativeQuoteQty,
        o.status,
        o.statusReason,
        o.version,
        o.updatedSeq,
        o.updatedTs,
        o.workingTs,
        o.orderId,
      );
    }
    for (const h of rows.orderStatus) {
      this.#insertStatus.run(
        h.orderId,
        h.version,
        h.status,
        h.executedQty,
        h.cumulativeQuoteQty,
        h.reason,
        h.seq,
        h.ts,
      );
    }
    for (const t of rows.trades) {
      this.#insertTrade.run(
        t.tradeId,
        t.symbol,
        t.price,
        t.quantity,
        t.quoteQuantity,
        t.takerSide,
        t.takerOrderId,
        t.takerUserId,
        t.makerOrderId,
        t.makerUserId,
        t.takerFee,
        t.makerFee,
        t.seq,
        t.ts,
      );
    }
    this.#writePostings(rows.postings);
    for (const b of rows.balances) this.#upsertBalance.run(b.userId, b.asset, b.available, b.locked, b.seq);
    for (const c of rows.candles) {
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
    for (const w of rows.newWithdrawals) {
      this.#insertWithdrawal.run(
        w.withdrawalId,
        w.userId,
        w.asset,
        w.amount,
        w.status,
        w.requestedSeq,
        w.requestedTs,
        w.updatedSeq,
        w.updatedTs,
      );
    }
    for (const w of rows.withdrawalStatus) {
      this.#setWithdrawalStatus.run(w.status, w.updatedSeq, w.updatedTs, w.withdrawalId);
    }
    return rows.applied;
  }

  #writePostings(postings: BatchRows['postings']): void {
    const values: (number | string)[] = [];
    for (const p of postings)
      values.push(p.seq, p.entryNo, p.ts, p.userId, p.account, p.asset, p.amount, p.reason);
    const chunk = POSTINGS_PER_INSERT * POSTING_COLUMNS;
    let i = 0;
    for (; i + chunk <= values.length; i += chunk) this.#insertPostings.run(...values.slice(i, i + chunk));
    for (; i < values.length; i += POSTING_COLUMNS) {
      this.#insertPosting.run(...values.slice(i, i + POSTING_COLUMNS));
    }
  }
}
