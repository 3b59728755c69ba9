import { performance } from 'node:perf_hooks';
import type { Command } from '../../src/domain/commands.ts';
import { MatchingEngine } from '../../src/engine/engine.ts';
import { LatencyRecorder } from '../support/latency.ts';
import { type ReplayRecord, rates, type Throughput } from './replay-record.ts';
import { LOT, MID_TICKS, SYMBOL, TICK, toCommand, type Workload } from './workloads.ts';

/**
 * Our engine, with balance checks, locks, fees and events on, as the sequencer runs it. With
 * `waitingStops`, that many conditional orders wait through the whole run (see `placeWaitingStops`).
 */
export class BourseRunner {
  private readonly workload: Workload;
  private readonly waitingStops: number;
  /** Built once: every round hands the engine the same command objects, as the sequencer would. */
  private readonly commands: Command[];

  constructor(workload: Workload, waitingStops = 0) {
    this.workload = workload;
    this.waitingStops = waitingStops;
    const first = workload.setup.length + waitingStops;
    this.commands = workload.ops.map((op, i) => toCommand(op, first + i + 1));
  }

  private fresh(): MatchingEngine {
    const engine = new MatchingEngine();
    for (const command of this.workload.setup) {
      for (const event of engine.apply(command))
        if (event.type === 'Rejected')
          throw new Error(`setup command ${command.type} was rejected: ${event.reason}`);
    }
    if (this.waitingStops > 0) this.placeWaitingStops(engine);
    return engine;
  }

  /**
   * Conditional orders that wait through the whole run, none of them reached (stops 10 to 35 USDT
   * away from a market that stays within cents of 30,000), half stop-loss sells below and half
   * stop-loss buys above, so that every trade checks them. They take order ids far above the
   * workload's (whose cancels name orders by the ids the engine gives them from 1), and the id
   * counter is put back after.
   */
  private placeWaitingStops(engine: MatchingEngine): void {
    const firstWorkloadId = engine.nextOrderId;
    engine.nextOrderId = 1e12;
    let seq = engine.lastSeq;
    for (let i = 0; i < this.waitingStops; i++) {
      const sell = i % 2 === 0;
      const offset = (1_000 + (i % 2_500)) * TICK;
      seq++;
      const events = engine.apply({
        type: 'PlaceOrder',
        seq,
        ts: seq,
        userId: 1,
        symbol: SYMBOL,
        side: sell ? 'SELL' : 'BUY',
        orderType: 'STOP_LOSS',
        quantity: LOT,
        stopPrice: MID_TICKS * TICK + (sell ? -offset : offset),
      });
      for (const event of events)
        if (event.type === 'Rejected') throw new Error(`a waiting stop was refused: ${event.reason}`);
    }
    engine.nextOrderId = firstWorkloadId;
  }

  /** The untimed replay the books are compared on. */
  replay(): ReplayRecord {
    const engine = this.fresh();
    const ops = this.workload.ops;
    const fills = new Int32Array(ops.length);
    const peerIds = new Map<number, number>();
    const rejectsByReason: Record<string, number> = {};
    let trades = 0;
    let volumeLots = 0;
    for (let i = 0; i < ops.length; i++) {
      for (const event of engine.apply(this.commands[i]!)) {
        if (event.type === 'OrderTriggered')
          throw new Error(`operation ${i} triggered waiting stop ${event.orderId}: none should be reached`);
        if (event.type === 'Trade') {
          trades++;
          volumeLots += event.quantity / LOT;
          fills[i] = fills[i]! + event.quantity / LOT;
        } else if (event.type === 'OrderAccepted') peerIds.set(event.orderId, ops[i]!.id);
        else if (event.type === 'Rejected')
          rejectsByReason[event.reason] = (rejectsByReason[event.reason] ?? 0) + 1;
      }
    }
    const problems = engine.checkInvariants();
    if (problems.length > 0)
      throw new Error(`invariants broken after the replay: ${problems.slice(0, 3).join('; ')}`);
    const market = engine.markets.get(SYMBOL)!;
    const bookOf = (side: typeof market.bids): number[] => {
      const out: number[] = [];
      for (const level of side.levelsFromBest())
        for (let o = level.head; o !== null; o = o.next)
          out.push(peerIds.get(o.orderId)!, o.price / TICK, o.remaining / LOT);
      return out;
    };
    return {
      engine: 'bourse',
      fills,
      trades,
      volumeLots,
      bids: bookOf(market.bids),
      asks: bookOf(market.asks),
      rejectsByReason,
    };
  }

  /**
   * Operations per second: wall time over the whole loop, nothing timed inside it; beside it, per
   * second of this thread's CPU time, which a machine shared with other work disturbs far less.
   */
  throughput(): Throughput {
    const engine = this.fresh();
    const commands = this.commands;
    let events = 0;
    const cpu = process.threadCpuUsage();
    const start = performance.now();
    for (let i = 0; i < commands.length; i++) events += engine.apply(commands[i]!).length;
    const elapsedMs = performance.now() - start;
    const used = process.threadCpuUsage(cpu);
    if (events === 0) throw new Error('the engine produced no events');
    return rates(commands.length, elapsedMs, used);
  }

  /** Per-operation latency, on a pass of its own so that its timers cost the throughput nothing. */
  latency(): { p50Ns: number; p99Ns: number; p999Ns: number } {
    const engine = this.fresh();
    const commands = this.commands;
    const recorder = new LatencyRecorder(commands.length);
    for (let i = 0; i < commands.length; i++) {
      const start = performance.now();
      engine.apply(commands[i]!);
      recorder.record((performance.now() - start) * 1e6);
    }
    return recorder.summary();
  }
}
