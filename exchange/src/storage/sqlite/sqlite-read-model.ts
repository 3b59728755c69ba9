import { DatabaseSync } from 'node:sqlite';
import type { OrderRef } from '../../domain/commands.ts';
import type { EngineEvent } from '../../domain/events.ts';
import { ensurePrivateFile } from '../../runtime/owner-only.ts';
import type {
  ApplyResult,
  CandleQuery,
  IssuedIds,
  OrderQuery,
  PostingQuery,
  ReadModelPort,
  TradeQuery,
  UserTradeQuery,
} from '../read-model-port.ts';
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
} from '../read-model-rows.ts';
import { dumpRows } from './dump.ts';
import { EventWriter } from './event-writer.ts';
import { ledgerViolations } from './ledger-invariants.ts';
import { migrate } from './migrations.ts';
import { ReadQueries } from './read-queries.ts';
import { COLUMNS, DATA_TABLES, SCHEMA } from './schema.ts';

/**
 * Pages in the WAL before SQLite copies them back into the database. The default (1000) checkpoints
 * every few batches; 10000 (about 40 MiB) amortizes checkpoints over many.
 */
const WAL_CHECKPOINT_PAGES = 10_000;

export interface SqliteReadModelOptions {
  /** A file path, or ':memory:' for a database that lives as long as the object. */
  readonly path: string;
  /**
   * SQLite's synchronous mode in WAL. NORMAL survives a process crash with every committed batch and
   * can lose the newest batches on a power cut, which the projection re-applies from the log; FULL
   * fsyncs each commit.
   * @default 'NORMAL'
   */
  readonly synchronous?: 'NORMAL' | 'FULL';
  /** @default 65536 - 64 MiB of page cache */
  readonly cacheSizeKiB?: number;
}

/** The embedded read model: the projection in one SQLite file, written by a single process. */
export class SqliteReadModel implements ReadModelPort {
  readonly #db: DatabaseSync;
  readonly #writer: EventWriter;
  readonly #queries: ReadQueries;
  readonly #setLastSeq;
  #lastSeq: number;

  static open(options: SqliteReadModelOptions): SqliteReadModel {
    const synchronous = options.synchronous ?? 'NORMAL';
    if (synchronous !== 'NORMAL' && synchronous !== 'FULL') {
      throw new RangeError(`synchronous '${String(synchronous)}' is invalid: use 'NORMAL' or 'FULL'`);
    }
    const cacheSizeKiB = options.cacheSizeKiB ?? 65_536;
    if (!Number.isSafeInteger(cacheSizeKiB) || cacheSizeKiB <= 0) {
      throw new RangeError(`cacheSizeKiB ${cacheSizeKiB} is invalid: use a positive integer`);
    }
    // Created owner-only before SQLite opens it; SQLite gives the -wal and -shm files the same mode.
    if (options.path !== ':memory:') ensurePrivateFile(options.path);
    const db = new DatabaseSync(options.path, { timeout: 5_000 });
    db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous};
      PRAGMA temp_store = MEMORY; PRAGMA cache_size = -${cacheSizeKiB};
      PRAGMA wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES};`);
    try {
      db.exec(SCHEMA);
      migrate(db);
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteReadModel(db);
  }

  private constructor(db: DatabaseSync) {
    this.#db = db;
    this.#writer = new EventWriter(db);
    this.#queries = new ReadQueries(db);
    this.#setLastSeq = db.prepare('UPDATE projection_state SET last_seq = ? WHERE id = 1');
    this.#lastSeq = db.prepare('SELECT last_seq AS lastSeq FROM projection_state WHERE id = 1').get()
      ?.lastSeq as number;
  }

  async lastAppliedSeq(): Promise<number> {
    return this.#lastSeq;
  }

  async apply(events: readonly EngineEvent[], throughSeq?: number): Promise<ApplyResult> {
    return this.applySync(events, throughSeq);
  }

  /** `apply` without the promise, for callers that own the process (the embedded pipeline, benches). */
  applySync(events: readonly EngineEvent[], throughSeq?: number): ApplyResult {
    const lastEventSeq = events.length === 0 ? this.#lastSeq : events[events.length - 1]!.seq;
    const through = throughSeq ?? lastEventSeq;
    if (!Number.isSafeInteger(through) || through < lastEventSeq) {
      throw new RangeError(`throughSeq ${through} is invalid: it must be an integer >= the last event's seq`);
    }
    if (through <= this.#lastSeq) {
      return { applied: 0, skipped: events.length, lastAppliedSeq: this.#lastSeq };
    }
    let applied: number;
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      applied = this.#writer.write(events, this.#lastSeq);
      this.#setLastSeq.run(through);
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
    this.#lastSeq = through;
    return { applied, skipped: events.length - applied, lastAppliedSeq: through };
  }

  async issuedIds(): Promise<IssuedIds> {
    const row = this.#db.prepare('SELECT COALESCE(MAX(order_id), 0) AS maxOrderId FROM orders').get() as {
      maxOrderId: number;
    };
    const trades = this.#db
      .prepare('SELECT symbol, MAX(trade_id) AS maxTradeId FROM trades GROUP BY symbol')
      .all() as { symbol: string; maxTradeId: number }[];
    return {
      maxOrderId: row.maxOrderId,
      maxTradeIds: Object.fromEntries(trades.map((t) => [t.symbol, t.maxTradeId])),
    };
  }

  async reset(): Promise<void> {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      for (const table of DATA_TABLES) this.#db.exec(`DELETE FROM ${table}`);
      this.#setLastSeq.run(0);
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
    this.#lastSeq = 0;
  }

  async assets(): Promise<readonly AssetRow[]> {
    return this.#all(`SELECT ${COLUMNS.assets} FROM assets ORDER BY asset`);
  }

  async markets(): Promise<readonly MarketRow[]> {
    return this.#all(`SELECT ${COLUMNS.markets} FROM markets ORDER BY symbol`);
  }

  async order(userId: number, symbol: string, ref: OrderRef): Promise<OrderRow | undefined> {
    return this.#queries.order(userId, symbol, ref);
  }

  async orders(query: OrderQuery): Promise<readonly OrderRow[]> {
    return this.#queries.orders(query);
  }

  async openOrders(userId: number, symbol?: string): Promise<readonly OrderRow[]> {
    return this.#queries.openOrders(userId, symbol);
  }

  async orderStatusHistory(orderId: number): Promise<readonly OrderStatusRow[]> {
    return this.#queries.orderStatusHistory(orderId);
  }

  async trades(query: TradeQuery): Promise<readonly TradeRow[]> {
    return this.#queries.trades(query);
  }

  async recentTrades(symbol: string, limit?: number): Promise<readonly TradeRow[]> {
    return this.#queries.trades(limit === undefined ? { symbol } : { symbol, limit });
  }

  async userTrades(query: UserTradeQuery): Promise<readonly UserTradeRow[]> {
    return this.#queries.userTrades(query);
  }

  async postings(query: PostingQuery): Promise<readonly PostingRow[]> {
    return this.#queries.postings(query);
  }

  async balanceFromPostings(userId: number, asset: string): Promise<Balance> {
    return this.#queries.balanceFromPostings(userId, asset);
  }

  async balances(userId: number): Promise<readonly BalanceRow[]> {
    return this.#queries.balances(userId);
  }

  async candles(query: CandleQuery): Promise<readonly CandleRow[]> {
    return this.#queries.candles(query);
  }

  async withdrawals(userId: number): Promise<readonly WithdrawalRow[]> {
    return this.#queries.withdrawals(userId);
  }

  async checkInvariants(): Promise<readonly string[]> {
    return ledgerViolations(this.#db);
  }

  async dumpRows(): Promise<ReadModelDump> {
    return dumpRows(this.#db);
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }

  #all<T>(sql: string): T[] {
    return this.#db
      .prepare(sql)
      .all()
      .map((r) => ({ ...r }) as unknown as T);
  }
}
