import { Worker } from 'node:worker_threads';
import type { OrderRef } from '../../domain/commands.ts';
import type { EngineEvent } from '../../domain/events.ts';
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
import { SqliteReadModel, type SqliteReadModelOptions } from './sqlite-read-model.ts';
import type { WriterReply, WriterRequest } from './sqlite-writer-protocol.ts';

const WORKER = new URL('./sqlite-writer-worker.ts', import.meta.url);

interface Waiting {
  readonly resolve: (result: ApplyResult | number) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The SQLite read model with its writes on a worker thread. Applying a batch (about 25 µs of SQL per
 * event, and now and then a WAL checkpoint with its fsync) would otherwise block the event loop that
 * serves the API and acknowledges journaled commands: a catch-up batch of 16k events would hold every
 * answer for some 400 ms. Here the main thread serializes the batch and goes on; with a
 * core to spare the SQL runs beside it (on 2 busy cores it still shares the CPU, in small slices).
 *
 *   main thread: Projector ──apply(batch)──► worker: the one writing connection (WAL)
 *                queries ◄── its own connection ── reads the last committed batch
 *
 * In WAL mode readers never block the writer nor see a batch half written. A batch is committed
 * before its answer comes back, so once `apply` resolves, reads on the main thread see it: the
 * read-your-writes wait (the projector's applied position) keeps working unchanged.
 */
export class ThreadedSqliteReadModel implements ReadModelPort {
  readonly #worker: Worker;
  readonly #reader: SqliteReadModel;
  readonly #waiting = new Map<number, Waiting>();
  #nextId = 1;
  #lastSeq: number;
  #failure: { readonly error: unknown } | undefined;
  #closed: Promise<void> | undefined;

  /** Starts the writer (which creates the schema), then opens the main thread's reading connection. */
  static async open(options: SqliteReadModelOptions): Promise<ThreadedSqliteReadModel> {
    if (options.path === ':memory:') {
      throw new RangeError("path ':memory:' is invalid here: two connections need one file; use a file path");
    }
    const worker = new Worker(WORKER, { workerData: options });
    const lastSeq = await new Promise<number>((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`the read model's writer thread exited (${code})`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (reply: WriterReply) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        if (reply.ok) resolve(reply.result as number);
        else reject(reply.error);
      });
    }).catch(async (error: unknown) => {
      await worker.terminate();
      throw error;
    });
    // Idle, the writer holds no work that a process exit could lose, so it does not keep the process
    // alive (like the synchronous adapter's connection); it is referenced while a request is pending.
    worker.unref();
    let reader: SqliteReadModel;
    try {
      reader = SqliteReadModel.open(options);
    } catch (error) {
      await worker.terminate();
      throw error;
    }
    return new ThreadedSqliteReadModel(worker, reader, lastSeq);
  }

  private constructor(worker: Worker, reader: SqliteReadModel, lastSeq: number) {
    this.#worker = worker;
    this.#reader = reader;
    this.#lastSeq = lastSeq;
    worker.on('message', (reply: WriterReply) => {
      const waiting = this.#waiting.get(reply.id);
      if (waiting === undefined) return;
      this.#waiting.delete(reply.id);
      if (this.#waiting.size === 0) worker.unref();
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(reply.error);
    });
    worker.on('error', (error) => this.#fail(error));
    worker.on('exit', (code) => this.#fail(new Error(`the read model's writer thread exited (${code})`)));
  }

  async lastAppliedSeq(): Promise<number> {
    return this.#lastSeq;
  }

  async apply(events: readonly EngineEvent[], throughSeq?: number): Promise<ApplyResult> {
    const eventsJson = JSON.stringify(events);
    const result = (await this.#request({
      id: this.#nextId++,
      op: 'apply',
      eventsJson,
      throughSeq,
    })) as ApplyResult;
    this.#lastSeq = result.lastAppliedSeq;
    return result;
  }

  async issuedIds(): Promise<IssuedIds> {
    return this.#reader.issuedIds();
  }

  async reset(): Promise<void> {
    await this.#request({ id: this.#nextId++, op: 'reset' });
    this.#lastSeq = 0;
  }

  async close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#reader.close();
      if (this.#failure === undefined) await this.#request({ id: this.#nextId++, op: 'close' });
      await this.#worker.terminate();
    })();
    return this.#closed;
  }

  assets(): Promise<readonly AssetRow[]> {
    return this.#reader.assets();
  }

  markets(): Promise<readonly MarketRow[]> {
    return this.#reader.markets();
  }

  order(userId: number, symbol: string, ref: OrderRef): Promise<OrderRow | undefined> {
    return this.#reader.order(userId, symbol, ref);
  }

  orders(query: OrderQuery): Promise<readonly OrderRow[]> {
    return this.#reader.orders(query);
  }

  openOrders(userId: number, symbol?: string): Promise<readonly OrderRow[]> {
    return this.#reader.openOrders(userId, symbol);
  }

  orderStatusHistory(orderId: number): Promise<readonly OrderStatusRow[]> {
    return this.#reader.orderStatusHistory(orderId);
  }

  trades(query: TradeQuery): Promise<readonly TradeRow[]> {
    return this.#reader.trades(query);
  }

  recentTrades(symbol: string, limit?: number): Promise<readonly TradeRow[]> {
    return this.#reader.recentTrades(symbol, limit);
  }

  userTrades(query: UserTradeQuery): Promise<readonly UserTradeRow[]> {
    return this.#reader.userTrades(query);
  }

  postings(query: PostingQuery): Promise<readonly PostingRow[]> {
    return this.#reader.postings(query);
  }

  balanceFromPostings(userId: number, asset: string): Promise<Balance> {
    return this.#reader.balanceFromPostings(userId, asset);
  }

  balances(userId: number): Promise<readonly BalanceRow[]> {
    return this.#reader.balances(userId);
  }

  candles(query: CandleQuery): Promise<readonly CandleRow[]> {
    return this.#reader.candles(query);
  }

  withdrawals(userId: number): Promise<readonly WithdrawalRow[]> {
    return this.#reader.withdrawals(userId);
  }

  checkInvariants(): Promise<readonly string[]> {
    return this.#reader.checkInvariants();
  }

  dumpRows(): Promise<ReadModelDump> {
    return this.#reader.dumpRows();
  }

  #request(request: WriterRequest): Promise<ApplyResult | number> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure.error);
    return new Promise((resolve, reject) => {
      if (this.#waiting.size === 0) this.#worker.ref();
      this.#waiting.set(request.id, { resolve, reject });
      this.#worker.postMessage(request);
    });
  }

  /** The writer is gone: every request waiting for it, and every later one, fails with why. */
  #fail(error: unknown): void {
    this.#failure ??= { error };
    for (const waiting of this.#waiting.values()) waiting.reject(this.#failure.error);
    this.#waiting.clear();
  }
}
