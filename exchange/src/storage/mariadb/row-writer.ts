import type { PoolConnection } from 'mysql2/promise';
import type { BatchRows } from '../projection-batch.ts';
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
} from '../read-model-rows.ts';
import { BulkInsert } from './bulk-insert.ts';

const ORDER_COLUMNS = `order_id, symbol, user_id, client_order_id, side, order_type, time_in_force, price,
  orig_qty, orig_quote_order_qty, executed_qty, cumulative_quote_qty, status, status_reason, stp_mode,
  created_seq, created_ts, updated_seq, updated_ts, version, stop_price, trailing_delta, working_ts`;

const orderValues = (o: OrderRow) =>
  [
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
  ] as const;

/**
 * Stores a batch's rows (planned by ProjectionBatch, which holds the projection's rules) in
 * multi-row prepared statements, inside the transaction the read model opens per batch.
 */
export class RowWriter {
  readonly #assets = new BulkInsert<AssetRow>('INSERT INTO assets (asset, decimals, added_seq)', 3, (a) => [
    a.asset,
    a.decimals,
    a.addedSeq,
  ]);
  readonly #markets = new BulkInsert<MarketRow>(
    `INSERT INTO markets (symbol, base, quote, tick_size, lot_size, min_qty, max_qty, min_notional,
      maker_fee_ppm, taker_fee_ppm, default_stp_mode, status, listed_seq, updated_seq)`,
    14,
    (m) => [
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
    ],
  );
  readonly #newOrders = new BulkInsert<OrderRow>(`INSERT INTO orders (${ORDER_COLUMNS})`, 23, orderValues);
  /** Changed orders are stored whole; the key exists, so the insert becomes this update. */
  readonly #changedOrders = new BulkInsert<OrderRow>(
    `INSERT INTO orders (${ORDER_COLUMNS})`,
    23,
    orderValues,
    `ON DUPLICATE KEY UPDATE executed_qty = VALUES(executed_qty),
      cumulative_quote_qty = VALUES(cumulative_quote_qty), status = VALUES(status),
      status_reason = VALUES(status_reason), version = VALUES(version), updated_seq = VALUES(updated_seq),
      updated_ts = VALUES(updated_ts), working_ts = VALUES(working_ts)`,
  );
  readonly #orderStatus = new BulkInsert<OrderStatusRow>(
    `INSERT INTO order_status_history (order_id, version, status, executed_qty, cumulative_quote_qty, reason,
      seq, ts)`,
    8,
    (h) => [h.orderId, h.version, h.status, h.executedQty, h.cumulativeQuoteQty, h.reason, h.seq, h.ts],
  );
  readonly #trades = new BulkInsert<TradeRow>(
    `INSERT INTO trades (trade_id, symbol, price, quantity, quote_quantity, taker_side, taker_order_id,
      taker_user_id, maker_order_id, maker_user_id, taker_fee, maker_fee, seq, ts)`,
    14,
    (t) => [
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
    ],
  );
  readonly #postings = new BulkInsert<PostingRow>(
    'INSERT INTO postings (seq, entry_no, ts, user_id, account, asset, amount, reason)',
    8,
    (p) => [p.seq, p.entryNo, p.ts, p.userId, p.account, p.asset, p.amount, p.reason],
  );
  readonly #balances = new BulkInsert<BalanceRow>(
    'INSERT INTO balances (user_id, asset, available, locked, seq)',
    5,
    (b) => [b.userId, b.asset, b.available, b.locked, b.seq],
    'ON DUPLICATE KEY UPDATE available = VALUES(available), locked = VALUES(locked), seq = VALUES(seq)',
  );
  // CandleAccumulator's merge, so a partial candle folds into a stored one.
  readonly #candles = new BulkInsert<CandleRow>(
    `INSERT INTO candles (symbol, \`interval\`, open_time, close_time, open, high, low, close, volume,
      quote_volume, taker_buy_volume, taker_buy_quote_volume, trade_count, first_trade_id, last_trade_id)`,
    15,
    (c) => [
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
    ],
    `ON DUPLICATE KEY UPDATE high = GREATEST(high, VALUES(high)), low = LEAST(low, VALUES(low)),
      close = VALUES(close), volume = volume + VALUES(volume), quote_volume = quote_volume + VALUES(quote_volume),
      taker_buy_volume = taker_buy_volume + VALUES(taker_buy_volume),
      taker_buy_quote_volume = taker_buy_quote_volume + VALUES(taker_buy_quote_volume),
      trade_count = trade_count + VALUES(trade_count), last_trade_id = VALUES(last_trade_id)`,
  );
  readonly #withdrawals = new BulkInsert<WithdrawalRow>(
    `INSERT INTO withdrawals (withdrawal_id, user_id, asset, amount, status, requested_seq, requested_ts,
      updated_seq, updated_ts)`,
    9,
    (w) => [
      w.withdrawalId,
      w.userId,
      w.asset,
      w.amount,
      w.status,
      w.requestedSeq,
      w.requestedTs,
      w.updatedSeq,
      w.updatedTs,
    ],
  );

  async write(connection: PoolConnection, rows: BatchRows): Promise<void> {
    await this.#assets.run(connection, rows.assets);
    await this.#markets.run(connection, rows.newMarkets);
    for (const m of rows.marketStatus) {
      await connection.execute('UPDATE markets SET status = ?, updated_seq = ? WHERE symbol = ?', [
        m.status,
        m.updatedSeq,
        m.symbol,
      ]);
    }
    await this.#newOrders.run(connection, rows.newOrders);
    await this.#changedOrders.run(connection, rows.changedOrders);
    await this.#orderStatus.run(connection, rows.orderStatus);
    await this.#trades.run(connection, rows.trades);
    await this.#postings.run(connection, rows.postings);
    await this.#balances.run(connection, rows.balances);
    await this.#candles.run(connection, rows.candles);
    await this.#withdrawals.run(connection, rows.newWithdrawals);
    for (const w of rows.withdrawalStatus) {
      await connection.execute(
        'UPDATE withdrawals SET status = ?, updated_seq = ?, updated_ts = ? WHERE withdrawal_id = ?',
        [w.status, w.updatedSeq, w.updatedTs, w.withdrawalId],
      );
    }
  }
}
