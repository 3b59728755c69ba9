import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import {
  HTTP_REQUEST_CHANNEL,
  type HttpRequestMessage,
  RATE_LIMIT_CHANNEL,
  type RateLimitMessage,
  WS_API_REQUEST_CHANNEL,
  type WsApiRequestMessage,
} from '../../gateway/gateway-channels.ts';
import { type BatchSyncedMessage, JOURNAL_BATCH_CHANNEL } from '../../journal/journal-channels.ts';
import {
  COMMAND_APPLIED_CHANNEL,
  type CommandAppliedMessage,
  SNAPSHOT_CHANNEL,
  type SnapshotMessage,
} from '../../sequencer/sequencer-channels.ts';
import { READ_MODEL_BATCH_CHANNEL, type ReadModelBatchMessage } from '../../storage/storage-channels.ts';
import { StampQueue } from './stamp-queue.ts';

/** One market's book, as the metrics read it at scrape time. */
export interface BookGauge {
  readonly symbol: string;
  readonly orders: number;
  readonly bidLevels: number;
  readonly askLevels: number;
}

/**
 * What the metrics read at scrape time rather than from a channel: state, not events. Each service
 * passes the ones it has (a gateway has no journal); a missing one leaves its metric out.
 */
export interface MetricsSources {
  /** The `service` label on every metric (the rules select on it). */
  readonly service: string;
  /** The scrapes' clock, the same as the sequencer's: lag is measured against command stamps. @default Date.now */
  readonly clock?: () => number;
  /** The position the read model has made durable. @default - no read-model lag metrics */
  readonly readModelSeq?: () => number;
  /** The last command the engine applied. @default - no read-model lag metrics */
  readonly engineSeq?: () => number;
  readonly inFlight?: () => number;
  readonly journalSegments?: () => number;
  readonly books?: () => Iterable<BookGauge>;
  readonly webSockets?: () => {
    readonly connections: number;
    readonly subscriptions: number;
    readonly slowConsumersDropped: number;
  };
}

export interface ExchangeMetrics {
  readonly registry: Registry;
  /** Unsubscribes from every channel: the core stops paying for the messages (scrape-time gauges stay). */
  stop(): void;
  /** Subscribes again after `stop`. */
  resume(): void;
}

const LATENCY_BUCKETS_S = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];
const APPLY_BUCKETS_S = [0.000_001, 0.000_005, 0.00001, 0.000_05, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.1];
const COUNT_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16_384];

/**
 * The exchange's Prometheus metrics, fed by subscription to the core's named diagnostics channels
 * (the core never imports this module) and by scrape-time reads of the sources.
 */
export function createExchangeMetrics(sources: MetricsSources): ExchangeMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: sources.service });
  collectDefaultMetrics({ register: registry });
  const clock = sources.clock ?? Date.now;
  const registers = [registry];

  const httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'REST requests answered, by route, method and HTTP status (code).',
    labelNames: ['route', 'method', 'code'],
    registers,
  });
  const httpErrors = new Counter({
    name: 'bourse_http_errors_total',
    help: 'REST requests refused, by route and Binance error code.',
    labelNames: ['route', 'error_code'],
    registers,
  });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'REST request duration, from the request to its answer, by route and method.',
    labelNames: ['route', 'method'],
    buckets: LATENCY_BUCKETS_S,
    registers,
  });
  const wsApiRequests = new Counter({
    name: 'bourse_ws_api_requests_total',
    help: 'WebSocket API requests answered, by method and status.',
    labelNames: ['method', 'status'],
    registers,
  });
  const wsApiErrors = new Counter({
    name: 'bourse_ws_api_errors_total',
    help: 'WebSocket API requests refused, by method and Binance error code.',
    labelNames: ['method', 'error_code'],
    registers,
  });
  const wsApiDuration = new Histogram({
    name: 'bourse_ws_api_request_duration_seconds',
    help: 'WebSocket API request duration, by method.',
    labelNames: ['method'],
    buckets: LATENCY_BUCKETS_S,
    registers,
  });
  const commands = new Counter({
    name: 'bourse_sequencer_commands_total',
    help: 'Commands applied, by type.',
    labelNames: ['type'],
    registers,
  });
  const rejects = new Counter({
    name: 'bourse_engine_rejects_total',
    help: 'Commands the engine rejected, by reason.',
    labelNames: ['reason'],
    registers,
  });
  const applyTime = new Histogram({
    name: 'bourse_engine_apply_seconds',
    help: "The engine's apply of one command.",
    buckets: APPLY_BUCKETS_S,
    registers,
  });
  let lastLagS = 0;
  new Gauge({
    name: 'bourse_engine_command_lag_seconds',
    help: "Time from the last applied command's stamp (sequencing) to its apply.",
    registers,
    collect() {
      this.set(lastLagS);
    },
  });
  if (sources.inFlight !== undefined) {
    const inFlight = sources.inFlight;
    new Gauge({
      name: 'bourse_sequencer_in_flight',
      help: 'Commands sequenced and not yet durable and applied.',
      registers,
      collect() {
        this.set(inFlight());
      },
    });
  }
  const journalBatch = new Histogram({
    name: 'bourse_journal_batch_commands',
    help: 'Commands per durable journal batch (group commit).',
    buckets: COUNT_BUCKETS,
    registers,
  });
  const journalWrite = new Histogram({
    name: 'bourse_journal_write_seconds',
    help: "A batch's durable write (O_DSYNC, and the folder's sync on a roll).",
    buckets: LATENCY_BUCKETS_S,
    registers,
  });
  const journalBytes = new Counter({
    name: 'bourse_journal_bytes_total',
    help: 'Bytes the journal made durable.',
    registers,
  });
  if (sources.journalSegments !== undefined) {
    const segments = sources.journalSegments;
    new Gauge({
      name: 'bourse_journal_segments',
      help: 'Journal segments retained.',
      registers,
      collect() {
        this.set(segments());
      },
    });
  }
  const readModelBatch = new Histogram({
    name: 'bourse_read_model_batch_events',
    help: 'Events per read-model batch.',
    buckets: COUNT_BUCKETS,
    registers,
  });
  const readModelWrite = new Histogram({
    name: 'bourse_read_model_write_seconds',
    help: "The read model's write of one batch.",
    buckets: LATENCY_BUCKETS_S,
    registers,
  });
  const unprojected = new StampQueue();
  const tracksReadModel = sources.readModelSeq !== undefined && sources.engineSeq !== undefined;
  if (tracksReadModel) {
    const readModelSeq = sources.readModelSeq!;
    const engineSeq = sources.engineSeq!;
    new Gauge({
      name: 'bourse_read_model_lag_commands',
      help: 'Commands the engine applied that the read model does not hold yet.',
      registers,
      collect() {
        this.set(Math.max(0, engineSeq() - readModelSeq()));
      },
    });
    new Gauge({
      name: 'bourse_read_model_lag_seconds',
      help: 'Age of the oldest applied command the read model does not hold yet; 0 when caught up.',
      registers,
      collect() {
        unprojected.dropThrough(readModelSeq());
        const oldest = unprojected.oldestTs();
        this.set(oldest === undefined ? 0 : Math.max(0, clock() - oldest) / 1000);
      },
    });
  }
  const snapshotDuration = new Histogram({
    name: 'bourse_snapshot_duration_seconds',
    help: 'A snapshot, from capture to durable file.',
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
    registers,
  });
  const snapshotBytes = new Gauge({
    name: 'bourse_snapshot_bytes',
    help: 'Size of the last snapshot written.',
    registers,
  });
  const snapshotFailures = new Counter({
    name: 'bourse_snapshot_failures_total',
    help: 'Snapshots (or their pruning) that failed; the log still holds everything.',
    registers,
  });
  const refusals = new Counter({
    name: 'bourse_rate_limit_refusals_total',
    help: 'Requests, connections and orders refused by a rate limit (429), by limit.',
    labelNames: ['limit'],
    registers,
  });
  const bans = new Counter({
    name: 'bourse_rate_limit_bans_total',
    help: 'IPs banned (418) for going on past a limit, by the limit that banned them.',
    labelNames: ['limit'],
    registers,
  });
  if (sources.books !== undefined) registerBookGauges(sources.books, registers);
  if (sources.webSockets !== undefined) registerWebSocketGauges(sources.webSockets, registers);

  const handlers: [string, (message: unknown) => void][] = [
    [
      HTTP_REQUEST_CHANNEL,
      (m) => {
        const r = m as HttpRequestMessage;
        httpRequests.inc({ route: r.route, method: r.method, code: r.status });
        httpDuration.observe({ route: r.route, method: r.method }, r.durationMs / 1000);
        if (r.code !== undefined) httpErrors.inc({ route: r.route, error_code: r.code });
      },
    ],
    [
      WS_API_REQUEST_CHANNEL,
      (m) => {
        const r = m as WsApiRequestMessage;
        wsApiRequests.inc({ method: r.method, status: r.status });
        wsApiDuration.observe({ method: r.method }, r.durationMs / 1000);
        if (r.code !== undefined) wsApiErrors.inc({ method: r.method, error_code: r.code });
      },
    ],
    [
      COMMAND_APPLIED_CHANNEL,
      (m) => {
        const a = m as CommandAppliedMessage;
        commands.inc({ type: a.command.type });
        for (const event of a.events) if (event.type === 'Rejected') rejects.inc({ reason: event.reason });
        applyTime.observe(a.applyMs / 1000);
        lastLagS = Math.max(0, a.appliedAtMs - a.command.ts) / 1000;
        if (tracksReadModel) unprojected.push(a.command.seq, a.command.ts);
      },
    ],
    [
      JOURNAL_BATCH_CHANNEL,
      (m) => {
        const b = m as BatchSyncedMessage;
        journalBatch.observe(b.lastSeq - b.firstSeq + 1);
        journalWrite.observe(b.syncMs / 1000);
        journalBytes.inc(b.bytes);
      },
    ],
    [
      READ_MODEL_BATCH_CHANNEL,
      (m) => {
        const b = m as ReadModelBatchMessage;
        readModelBatch.observe(b.events);
        readModelWrite.observe(b.writeMs / 1000);
        unprojected.dropThrough(b.appliedSeq);
      },
    ],
    [
      SNAPSHOT_CHANNEL,
      (m) => {
        const s = m as SnapshotMessage;
        if (!s.ok) {
          snapshotFailures.inc();
          return;
        }
        snapshotDuration.observe(s.durationMs / 1000);
        snapshotBytes.set(s.bytes);
      },
    ],
    [
      RATE_LIMIT_CHANNEL,
      (m) => {
        const r = m as RateLimitMessage;
        (r.banned ? bans : refusals).inc({ limit: r.limit });
      },
    ],
  ];
  let subscribed = false;
  const resume = () => {
    if (subscribed) return;
    subscribed = true;
    for (const [name, handler] of handlers) subscribe(name, handler);
  };
  resume();
  return {
    registry,
    stop: () => {
      if (!subscribed) return;
      subscribed = false;
      for (const [name, handler] of handlers) unsubscribe(name, handler);
    },
    resume,
  };
}

function registerBookGauges(books: () => Iterable<BookGauge>, registers: Registry[]): void {
  new Gauge({
    name: 'bourse_engine_resting_orders',
    help: 'Orders resting in the book, by market.',
    labelNames: ['symbol'],
    registers,
    collect() {
      this.reset();
      for (const book of books()) this.set({ symbol: book.symbol }, book.orders);
    },
  });
  new Gauge({
    name: 'bourse_engine_price_levels',
    help: 'Price levels in the book, by market and side.',
    labelNames: ['symbol', 'side'],
    registers,
    collect() {
      this.reset();
      for (const book of books()) {
        this.set({ symbol: book.symbol, side: 'BUY' }, book.bidLevels);
        this.set({ symbol: book.symbol, side: 'SELL' }, book.askLevels);
      }
    },
  });
}

function registerWebSocketGauges(
  stats: NonNullable<MetricsSources['webSockets']>,
  registers: Registry[],
): void {
  new Gauge({
    name: 'bourse_ws_connections',
    help: 'Open WebSocket connections (market streams and the WebSocket API).',
    registers,
    collect() {
      this.set(stats().connections);
    },
  });
  new Gauge({
    name: 'bourse_ws_subscriptions',
    help: 'Market streams listened to, summed over connections.',
    registers,
    collect() {
      this.set(stats().subscriptions);
    },
  });
  let counted = 0;
  new Counter({
    name: 'bourse_ws_slow_consumers_dropped_total',
    help: 'WebSocket connections cut off because their unsent backlog passed the limit.',
    registers,
    collect() {
      const now = stats().slowConsumersDropped;
      if (now > counted) this.inc(now - counted);
      counted = now;
    },
  });
}
