import { performance } from 'node:perf_hooks';
import { OrderBook } from 'nodejs-order-book';
import { LatencyRecorder } from '../support/latency.ts';
import { type ReplayRecord, rates, type Throughput } from './replay-record.ts';
import type { BenchOp, Workload } from './workloads.ts';

type Call = (book: OrderBook) => { quantityLeft: number } | undefined;

/**
 * The npm package nodejs-order-book: no balances, no fees, no events. A move and a reduce are its
 * modify (cancel and re-add, matching if it crosses); a reduce of everything is its cancel.
 */
export class OrderBookRunner {
  private readonly workload: Workload;
  private readonly calls: Call[];
  /** What each call asks to trade, to read its fill back from quantityLeft; 0 for cancels. */
  private readonly sizes: Int32Array;

  constructor(workload: Workload) {
    this.workload = workload;
    this.sizes = new Int32Array(workload.ops.length);
    this.calls = workload.ops.map((op, i) => this.callFor(op, i));
  }

  private callFor(op: BenchOp, i: number): Call {
    const side = (s: string) => (s === 'BUY' ? 'buy' : 'sell') as never;
    const id = String(op.id);
    switch (op.kind) {
      case 'limit': {
        const options = {
          side: side(op.side),
          id,
          size: op.lots,
          price: op.priceTicks,
          timeInForce: op.tif as never,
        };
        this.sizes[i] = op.lots;
        return (book) => book.limit(options);
      }
      case 'market': {
        const options = { side: side(op.side), size: op.lots };
        this.sizes[i] = op.lots;
        return (book) => book.market(options);
      }
      case 'cancel':
        return (book) => void book.cancel(id);
      case 'reduce':
      case 'move': {
        if (op.lots === 0) return (book) => void book.cancel(id);
        const update = { price: op.priceTicks, size: op.lots };
        this.sizes[i] = op.lots;
        return (book) => book.modify(id, update);
      }
    }
  }

  replay(): ReplayRecord {
    const book = new OrderBook();
    const fills = new Int32Array(this.calls.length);
    let volumeLots = 0;
    for (let i = 0; i < this.calls.length; i++) {
      const result = this.calls[i]!(book) as { quantityLeft: number; err?: unknown } | undefined;
      if (result?.err)
        throw new Error(
          `nodejs-order-book refused operation ${i}: ${(result.err as Error).message ?? String(result.err)}`,
        );
      const filled = result === undefined ? 0 : this.sizes[i]! - result.quantityLeft;
      fills[i] = filled;
      volumeLots += filled;
    }
    const snapshot = book.snapshot();
    const flatten = (levels: typeof snapshot.bids, bestFirst: (a: number, b: number) => number) => {
      const out: number[] = [];
      for (const level of [...levels].sort((a, b) => bestFirst(a.price, b.price)))
        for (const order of level.orders) out.push(Number(order.id), level.price, order.size);
      return out;
    };
    return {
      engine: 'nodejs-order-book',
      fills,
      trades: -1,
      volumeLots,
      bids: flatten(snapshot.bids, (a, b) => b - a),
      asks: flatten(snapshot.asks, (a, b) => a - b),
      rejectsByReason: {},
    };
  }

  throughput(): Throughput {
    const book = new OrderBook();
    const calls = this.calls;
    const cpu = process.threadCpuUsage();
    const start = performance.now();
    for (let i = 0; i < calls.length; i++) calls[i]!(book);
    const elapsedMs = performance.now() - start;
    return rates(calls.length, elapsedMs, process.threadCpuUsage(cpu));
  }

  latency(): { p50Ns: number; p99Ns: number; p999Ns: number } {
    const book = new OrderBook();
    const calls = this.calls;
    const recorder = new LatencyRecorder(calls.length);
    for (let i = 0; i < calls.length; i++) {
      const start = performance.now();
      calls[i]!(book);
      recorder.record((performance.now() - start) * 1e6);
    }
    return recorder.summary();
  }

  get operations(): number {
    return this.workload.ops.length;
  }
}
