import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { OrderRef } from '../../domain/commands.ts';
import {
  type CandleQuery,
  type OrderQuery,
  type PostingQuery,
  pageLimit,
  type TradeQuery,
  type UserTradeQuery,
} from '../read-model-port.ts';
import type {
  Balance,
  BalanceRow,
  CandleRow,
  OrderRow,
  OrderStatusRow,
  PostingRow,
  TradeRow,
  UserTradeRow,
  WithdrawalRow,
} from '../read-model-rows.ts';
import { COLUMNS } from './schema.ts';

/** Bounds that stand for "no bound" on ids and times. */
const MIN = Number.MIN_SAFE_INTEGER;
const MAX = Number.MAX_SAFE_INTEGER;

const USER_TRADE_SIDE = (role: 'taker' | 'maker') => {
  const buyerSide = role === 'taker' ? 'BUY' : 'SELL';
  return `SELECT t.trade_id AS tradeId, t.symbol, t.${role}_order_id AS orderId, t.${role}_user_id AS userId,
      t.price, t.quantity, t.quote_quantity AS quoteQuantity, t.${role}_fee AS commission,
      CASE WHEN t.taker_side = '${buyerSide}' THEN m.base ELSE m.quote END AS commissionAsset,
      t.taker_side = '${buyerSide}' AS isBuyer, ${role === 'maker' ? 1 : 0} AS isMaker, t.seq, t.ts
    FROM trades t JOIN markets m ON m.symbol = t.symbol
    WHERE t.${role}_user_id = $userId AND t.symbol = $symbol AND t.trade_id >= $fromId
      AND t.ts BETWEEN $startTime AND $endTime
      AND ($orderId IS NULL OR t.${role}_order_id = $orderId)`;
};

/**
 * The read side's queries as prepared statements. Listing queries follow Binance: given a starting id
 * or time they page forward from it; given neither, they return the newest page, oldest first.
 */
export class ReadQueries {
  readonly #orderById: StatementSync;
  readonly #orderByClientId: StatementSync;
  readonly #ordersFrom: StatementSync;
  readonly #ordersNewest: StatementSync;
  readonly #openOrdersOfSymbol: StatementSync;
  readonly #openOrders: StatementSync;
  readonly #statusHistory: StatementSync;
  readonly #tradesFrom: StatementSync;
  readonly #tradesNewest: StatementSync;
  readonly #userTradesFrom: StatementSync;
  readonly #userTradesNewest: StatementSync;
  readonly #postingsOfAsset: StatementSync;
  readonly #postings: StatementSync;
  readonly #balanceFromPostings: StatementSync;
  readonly #balances: StatementSync;
  readonly #candlesFrom: StatementSync;
  readonly #candlesNewest: StatementSync;
  readonly #withdrawals: StatementSync;

  constructor(db: DatabaseSync) {
    const orders = `SELECT ${COLUMNS.orders} FROM orders`;
    this.#orderById = db.prepare(`${orders} WHERE order_id = ? AND user_id = ? AND symbol = ?`);
    this.#orderByClientId = db.prepare(
      `${orders} WHERE user_id = ? AND symbol = ? AND client_order_id = ? ORDER BY order_id DESC LIMIT 1`,
    );
    const ordersWhere = `WHERE user_id = $userId AND symbol = $symbol AND order_id >= $fromId
      AND created_ts BETWEEN $startTime AND $endTime`;
    this.#ordersFrom = db.prepare(`${orders} ${ordersWhere} ORDER BY order_id LIMIT $limit`);
    this.#ordersNewest = db.prepare(`${orders} ${ordersWhere} ORDER BY order_id DESC LIMIT $limit`);
    const open = "status IN ('NEW', 'PARTIALLY_FILLED')";
    this.#openOrdersOfSymbol = db.prepare(
      `${orders} WHERE user_id = ? AND symbol = ? AND ${open} ORDER BY order_id`,
    );
    this.#openOrders = db.prepare(`${orders} WHERE user_id = ? AND ${open} ORDER BY order_id`);
    this.#statusHistory = db.prepare(
      `SELECT ${COLUMNS.orderStatus} FROM order_status_history WHERE order_id = ? ORDER BY version`,
    );
    const trades = `SELECT ${COLUMNS.trades} FROM trades WHERE symbol = ? AND trade_id >= ?`;
    this.#tradesFrom = db.prepare(`${trades} ORDER BY trade_id LIMIT ?`);
    this.#tradesNewest = db.prepare(`${trades} ORDER BY trade_id DESC LIMIT ?`);
    const userTrades = `${USER_TRADE_SIDE('taker')} UNION ALL ${USER_TRADE_SIDE('maker')}`;
    this.#userTradesFrom = db.prepare(`${userTrades} ORDER BY tradeId, isMaker LIMIT $limit`);
    this.#userTradesNewest = db.prepare(`${userTrades} ORDER BY tradeId DESC, isMaker DESC LIMIT $limit`);
    const postings = `SELECT ${COLUMNS.postings} FROM postings WHERE user_id = ?`;
    this.#postingsOfAsset = db.prepare(
      `${postings} AND asset = ? AND seq >= ? ORDER BY seq, entry_no LIMIT ?`,
    );
    this.#postings = db.prepare(`${postings} AND seq >= ? ORDER BY seq, entry_no LIMIT ?`);
    this.#balanceFromPostings = db.prepare(
      `SELECT coalesce(sum(CASE WHEN account = 'available' THEN amount END), 0) AS available,
        coalesce(sum(CASE WHEN account = 'locked' THEN amount END), 0) AS locked
       FROM postings WHERE user_id = ? AND asset = ?`,
    );
    this.#balances = db.prepare(`SELECT ${COLUMNS.balances} FROM balances WHERE user_id = ? ORDER BY asset`);
    const candles = `SELECT ${COLUMNS.candles} FROM candles WHERE symbol = ? AND interval = ?
      AND open_time BETWEEN ? AND ?`;
    this.#candlesFrom = db.prepare(`${candles} ORDER BY open_time LIMIT ?`);
    this.#candlesNewest = db.prepare(`${candles} ORDER BY open_time DESC LIMIT ?`);
    this.#withdrawals = db.prepare(
      `SELECT ${COLUMNS.withdrawals} FROM withdrawals WHERE user_id = ? ORDER BY requested_seq, withdrawal_id`,
    );
  }

  order(userId: number, symbol: string, ref: OrderRef): OrderRow | undefined {
    const row =
      ref.orderId !== undefined
        ? this.#orderById.get(ref.orderId, userId, symbol)
        : ref.clientOrderId !== undefined
          ? this.#orderByClientId.get(userId, symbol, ref.clientOrderId)
          : fail('an order reference needs an orderId or a clientOrderId');
    return row === undefined ? undefined : ({ ...row } as unknown as OrderRow);
  }

  orders(q: OrderQuery): OrderRow[] {
    const params = {
      userId: q.userId,
      symbol: q.symbol,
      fromId: q.fromOrderId ?? MIN,
      startTime: q.startTime ?? MIN,
      endTime: q.endTime ?? MAX,
      limit: pageLimit(q.limit),
    };
    return q.fromOrderId === undefined && q.startTime === undefined
      ? newestFirst<OrderRow>(this.#ordersNewest, params)
      : rows<OrderRow>(this.#ordersFrom, params);
  }

  openOrders(userId: number, symbol: string | undefined): OrderRow[] {
    return symbol === undefined
      ? rows<OrderRow>(this.#openOrders, userId)
      : rows<OrderRow>(this.#openOrdersOfSymbol, userId, symbol);
  }

  orderStatusHistory(orderId: number): OrderStatusRow[] {
    return rows<OrderStatusRow>(this.#statusHistory, orderId);
  }

  trades(q: TradeQuery): TradeRow[] {
    const limit = pageLimit(q.limit);
    return q.fromId === undefined
      ? newestFirst<TradeRow>(this.#tradesNewest, q.symbol, MIN, limit)
      : rows<TradeRow>(this.#tradesFrom, q.symbol, q.fromId, limit);
  }

  userTrades(q: UserTradeQuery): UserTradeRow[] {
    const params = {
      userId: q.userId,
      symbol: q.symbol,
      orderId: q.orderId ?? null,
      fromId: q.fromId ?? MIN,
      startTime: q.startTime ?? MIN,
      endTime: q.endTime ?? MAX,
      limit: pageLimit(q.limit),
    };
    const raw =
      q.fromId === undefined && q.startTime === undefined
        ? this.#userTradesNewest.all(params).reverse()
        : this.#userTradesFrom.all(params);
    // SQLite has no boolean type; the port's rows carry real booleans.
    return raw.map(
      (r) => ({ ...r, isBuyer: r.isBuyer === 1, isMaker: r.isMaker === 1 }) as unknown as UserTradeRow,
    );
  }

  postings(q: PostingQuery): PostingRow[] {
    const fromSeq = q.fromSeq ?? MIN;
    const limit = pageLimit(q.limit);
    return q.asset === undefined
      ? rows<PostingRow>(this.#postings, q.userId, fromSeq, limit)
      : rows<PostingRow>(this.#postingsOfAsset, q.userId, q.asset, fromSeq, limit);
  }

  balanceFromPostings(userId: number, asset: string): Balance {
    return { ...this.#balanceFromPostings.get(userId, asset) } as unknown as Balance;
  }

  balances(userId: number): BalanceRow[] {
    return rows<BalanceRow>(this.#balances, userId);
  }

  candles(q: CandleQuery): CandleRow[] {
    const limit = pageLimit(q.limit);
    const start = q.startTime ?? MIN;
    const end = q.endTime ?? MAX;
    return q.startTime === undefined
      ? newestFirst<CandleRow>(this.#candlesNewest, q.symbol, q.interval, start, end, limit)
      : rows<CandleRow>(this.#candlesFrom, q.symbol, q.interval, start, end, limit);
  }

  withdrawals(userId: number): WithdrawalRow[] {
    return rows<WithdrawalRow>(this.#withdrawals, userId);
  }
}

/** node:sqlite rows have a null prototype; the port promises plain objects. */
function rows<T>(
  statement: StatementSync,
  ...params: SQLInputValue[] | [Record<string, SQLInputValue>]
): T[] {
  return statement.all(...(params as SQLInputValue[])).map((r) => ({ ...r }) as unknown as T);
}

/** Runs a newest-first query and returns its page oldest first. */
function newestFirst<T>(
  statement: StatementSync,
  ...params: SQLInputValue[] | [Record<string, SQLInputValue>]
): T[] {
  return rows<T>(statement, ...params).reverse();
}

function fail(message: string): never {
  throw new TypeError(message);
}
