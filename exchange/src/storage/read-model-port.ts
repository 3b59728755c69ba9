import type { OrderRef } from '../domain/commands.ts';
import type { EngineEvent } from '../domain/events.ts';
import type { CandleInterval } from './candle-intervals.ts';
import type {
  AssetRow,
  Balance,
  BalanceRow,
  CandleRow,
  MarketRow,
  OrderRow,
  OrderStatusRow,
  PostingRow,
  ReadModelDump,
  TradeRow,
  UserTradeRow,
  WithdrawalRow,
} from './read-model-rows.ts';

/**
 * The read side's storage ports: a projection of the engine's events into queryable rows, split by
 * who uses it. The projector holds the writer, the API holds the queries, and tests and operators
 * hold the audit; an adapter (SQLite, MariaDB) implements all three as one `ReadModelPort`.
 *
 * Every method is async so that a networked database (MariaDB, standing in for Aurora MySQL) can
 * implement the same ports; the embedded SQLite adapter simply resolves at once.
 */

/**
 * Exactly-once on top of an at-least-once feed: `apply` writes a batch's rows and the batch's last
 * sequence number in one transaction, and skips every event whose seq is at or below the stored one.
 * After a crash, the caller reads `lastAppliedSeq()` and feeds again from the next command; whatever
 * it sends twice is ignored.
 */
export interface ReadModelWriter {
  /** The seq of the last command applied, 0 for an empty model. */
  lastAppliedSeq(): Promise<number>;

  /**
   * Applies the events of whole commands, in seq order, in one transaction. A batch must never split
   * a command's events: the skip rule works per seq, so a command's tail sent in a later batch would
   * be dropped. `throughSeq` (default: the last event's seq) lets the caller record commands that
   * produced no events, so the stored position can move past them.
   */
  apply(events: readonly EngineEvent[], throughSeq?: number): Promise<ApplyResult>;

  /**
   * The highest order id and trade id the rows hold (0 when none): after a loss of the log's tail,
   * the ids its lost commands issued, which must never be issued again.
   */
  issuedIds(): Promise<IssuedIds>;

  /** Deletes every row and sets the position back to 0, for a rebuild from scratch. */
  reset(): Promise<void>;

  close(): Promise<void>;
}

/** What the API reads. Listing queries page as Binance's do. */
export interface ReadModelQueries {
  assets(): Promise<readonly AssetRow[]>;
  markets(): Promise<readonly MarketRow[]>;

  /** One of a user's orders on a symbol by order id, or by client order id (the newest such order). */
  order(userId: number, symbol: string, ref: OrderRef): Promise<OrderRow | undefined>;
  /** A user's orders on a symbol, any status, by ascending order id (Binance's allOrders). */
  orders(query: OrderQuery): Promise<readonly OrderRow[]>;
  /** A user's NEW and PARTIALLY_FILLED orders, on one symbol or all, by ascending order id. */
  openOrders(userId: number, symbol?: string): Promise<readonly OrderRow[]>;
  /** An order's status changes, oldest first; empty for an unknown order. */
  orderStatusHistory(orderId: number): Promise<readonly OrderStatusRow[]>;

  /** A symbol's trades by ascending trade id, from `fromId` (Binance's historicalTrades). */
  trades(query: TradeQuery): Promise<readonly TradeRow[]>;
  /** A symbol's newest `limit` trades, oldest first (Binance's trades). */
  recentTrades(symbol: string, limit?: number): Promise<readonly TradeRow[]>;
  /** A user's side of each trade on a symbol by ascending trade id (Binance's myTrades). */
  userTrades(query: UserTradeQuery): Promise<readonly UserTradeRow[]>;

  /** A user's ledger postings by ascending (seq, entryNo), optionally for one asset. */
  postings(query: PostingQuery): Promise<readonly PostingRow[]>;
  /** A user's balances as the engine last reported them, by asset. */
  balances(userId: number): Promise<readonly BalanceRow[]>;

  /** Candles by ascending open time; without startTime, the newest `limit` up to endTime. */
  candles(query: CandleQuery): Promise<readonly CandleRow[]>;

  withdrawals(userId: number): Promise<readonly WithdrawalRow[]>;
}

/** Checks that the projection is sound, and exposes it whole for comparison. */
export interface ReadModelAudit {
  /**
   * Ledger invariants, as human-readable violations (empty when sound): every (seq, asset)
   * transaction sums to zero, and every reported balance equals the one recomputed from postings.
   */
  checkInvariants(): Promise<readonly string[]>;

  /** A user's balance of an asset recomputed from the ledger alone. */
  balanceFromPostings(userId: number, asset: string): Promise<Balance>;

  /** Every row, canonically ordered; for tests that compare databases. */
  dumpRows(): Promise<ReadModelDump>;
}

export interface IssuedIds {
  readonly maxOrderId: number;
  /** Per symbol: trade ids run per market. */
  readonly maxTradeIds: Readonly<Record<string, number>>;
}

/** One adapter's whole read model: what the contract suite runs against. */
export interface ReadModelPort extends ReadModelWriter, ReadModelQueries, ReadModelAudit {}

export interface ApplyResult {
  /** Events written; events at or below the previous position are not counted. */
  readonly applied: number;
  readonly skipped: number;
  readonly lastAppliedSeq: number;
}

/** Binance's page size: 500 unless asked, at most 1000. */
export const DEFAULT_LIMIT = 500;
export const MAX_LIMIT = 1000;

export interface OrderQuery {
  readonly userId: number;
  readonly symbol: string;
  /** Orders with this id or greater. */
  readonly fromOrderId?: number;
  /** Created at or after, ms. */
  readonly startTime?: number;
  /** Created at or before, ms. */
  readonly endTime?: number;
  /** @default 500 (DEFAULT_LIMIT) */
  readonly limit?: number;
}

export interface TradeQuery {
  readonly symbol: string;
  /** @default 0 - from the first trade */
  readonly fromId?: number;
  /** @default 500 (DEFAULT_LIMIT) */
  readonly limit?: number;
}

export interface UserTradeQuery {
  readonly userId: number;
  readonly symbol: string;
  /** Only this order's trades. */
  readonly orderId?: number;
  readonly fromId?: number;
  readonly startTime?: number;
  readonly endTime?: number;
  /** @default 500 (DEFAULT_LIMIT) */
  readonly limit?: number;
}

export interface PostingQuery {
  readonly userId: number;
  readonly asset?: string;
  /** Postings of this command seq or later. */
  readonly fromSeq?: number;
  /** @default 500 (DEFAULT_LIMIT) */
  readonly limit?: number;
}

export interface CandleQuery {
  readonly symbol: string;
  readonly interval: CandleInterval;
  /** Candles opening at or after, ms. */
  readonly startTime?: number;
  /** Candles opening at or before, ms. */
  readonly endTime?: number;
  /** @default 500 (DEFAULT_LIMIT) */
  readonly limit?: number;
}

/** Checks a page size up front, quoting the bad value. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new RangeError(`limit ${limit} is invalid: use an integer from 1 to ${MAX_LIMIT}`);
  }
  return limit;
}
