/**
 * A keep-alive HTTP/1.1 load generator on raw sockets (autocannon's approach: no client library on
 * the hot path), run as a child process so it has its own core. Reads one JSON job from argv, prints
 * one JSON result.
 *
 *   closed loop: `connections` sockets, each sending its next request when the last answer is in.
 *   open loop:   requests at a fixed rate; latency counts from when each request was due, so a slow
 *                server cannot hide its queueing (no coordinated omission).
 *
 * Requests are plain GETs, or Binance-signed order placements and cancels, alternating per socket.
 */
import { createHmac } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { percentile } from '../support/latency.ts';

export interface LoadJob {
  readonly port: number;
  readonly connections: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  /** Requests per second for an open loop; absent for a closed loop. */
  readonly ratePerSec?: number;
  readonly target:
    | { readonly kind: 'get'; readonly path: string }
    | { readonly kind: 'orders'; readonly apiKey: string; readonly secret: string; readonly symbol: string };
}

export interface LoadResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly non2xx: number;
  /** The first answers that were not 2xx: status and body, to tell what went wrong. */
  readonly non2xxSamples: readonly string[];
  readonly errors: number;
  /** How busy the generator's own loop was: near 100%, it and not the server may be the limit. */
  readonly generatorBusyPct: number;
}

class Connection {
  readonly socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #onResponse: ((status: number) => void) | undefined;
  /** Status line and body of the last answer that was not 2xx. */
  lastRefusal = '';

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.#data(chunk));
  }

  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
  }

  send(request: string): Promise<number> {
    return new Promise((resolve) => {
      this.#onResponse = resolve;
      this.socket.write(request);
    });
  }

  #data(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const end = this.#buffer.indexOf('\r\n\r\n');
    if (end === -1) return;
    const head = this.#buffer.toString('latin1', 0, end);
    const match = /content-length: *(\d+)/i.exec(head);
    const length = match === null ? 0 : Number(match[1]);
    if (this.#buffer.length < end + 4 + length) return;
    const status = Number(head.slice(9, 12));
    if (status < 200 || status > 299) {
      this.lastRefusal = `${status} ${this.#buffer.toString('utf8', end + 4, end + 4 + length)}`;
    }
    this.#buffer = this.#buffer.subarray(end + 4 + length);
    const done = this.#onResponse;
    this.#onResponse = undefined;
    done?.(status);
  }
}

/**
 * Builds each socket's next request. Signed requests are made ahead, before the clock starts, as far
 * as `presign` reaches (with a recvWindow of a minute, so they stay valid): signing is the client's
 * work, and doing it during the run would make the generator, not the server, the bottleneck on a
 * small machine. Past the presigned ones, requests are signed as they are sent.
 */
function requestMaker(job: LoadJob, index: number, presign: number): () => string {
  const target = job.target;
  if (target.kind === 'get') {
    const text = `GET ${target.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
    return () => text;
  }
  const sign = orderSigner(target, index);
  const ready = Array.from({ length: presign }, sign);
  let next = 0;
  return () => (next < ready.length ? ready[next++]! : sign());
}

// Client order ids are unique per run: an order left open when an earlier run stopped between a
// placement and its cancel still holds its id.
const RUN = `${process.pid.toString(36)}${Date.now().toString(36)}`;

function orderSigner(target: Extract<LoadJob['target'], { kind: 'orders' }>, index: number): () => string {
  let n = 0;
  let resting: string | undefined;
  return () => {
    const timestamp = Date.now();
    let method: string;
    let payload: string;
    if (resting === undefined) {
      resting = `${RUN}-${index}x${n++}`;
      // Far below the touch: rests on the book until its cancel.
      const price = (1000 + (n % 500)).toFixed(2);
      payload = `symbol=${target.symbol}&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.0100&price=${price}&newClientOrderId=${resting}&recvWindow=60000&timestamp=${timestamp}`;
      method = 'POST';
    } else {
      payload = `symbol=${target.symbol}&origClientOrderId=${resting}&recvWindow=60000&timestamp=${timestamp}`;
      resting = undefined;
      method = 'DELETE';
    }
    const signature = createHmac('sha256', target.secret).update(payload).digest('hex');
    const query = `${payload}&signature=${signature}`;
    return `${method} /api/v3/order?${query} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-MBX-APIKEY: ${target.apiKey}\r\nContent-Length: 0\r\n\r\n`;
  };
}

export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const connections = Array.from({ length: job.connections }, () => new Connection(job.port));
  await Promise.all(connections.map((c) => c.ready()));
  // Enough for every socket at the expected rate, with room to spare; the rest are signed live.
  const expected = ((job.ratePerSec ?? 12_000) * (job.warmupMs + job.durationMs)) / 1000;
  const presign = Math.ceil((2 * expected) / job.connections);
  const makers = connections.map((_, i) => requestMaker(job, i, presign));
  const elu0 = performance.eventLoopUtilization();
  const latencies: number[] = [];
  let non2xx = 0;
  const non2xxSamples: string[] = [];
  let errors = 0;
  const start = performance.now();
  const measureFrom = start + job.warmupMs;
  const stopAt = measureFrom + job.durationMs;
  let measured = 0;

  const record = (due: number, status: number, connection: Connection) => {
    const now = performance.now();
    if (due < measureFrom || now > stopAt) return;
    measured++;
    latencies.push(now - due);
    if (status < 200 || status > 299) {
      non2xx++;
      if (non2xxSamples.length < 5) non2xxSamples.push(connection.lastRefusal);
    }
  };

  if (job.ratePerSec === undefined) {
    await Promise.all(
      connections.map(async (c, i) => {
        while (performance.now() < stopAt) {
          const due = performance.now();
          try {
            record(due, await c.send(makers[i]!()), c);
          } catch {
            errors++;
          }
        }
      }),
    );
  } else {
    // Open loop: a queue of due times; idle sockets take the oldest due request.
    const interval = 1000 / job.ratePerSec;
    const idle = connections.map((_, i) => i);
    const due: number[] = [];
    let next = start;
    await new Promise<void>((resolve) => {
      let inFlight = 0;
      // Sleeps until the next request is due instead of spinning: a busy generator would take the
      // core the server needs. Timers fire late by up to a millisecond; that lateness counts against
      // the server, since latency runs from each request's due time.
      let timer: NodeJS.Timeout | undefined;
      const wake = () => {
        timer = undefined;
        pump();
      };
      const pump = () => {
        const now = performance.now();
        while (next <= now && next < stopAt) {
          due.push(next);
          next += interval;
        }
        while (due.length > 0 && idle.length > 0) {
          const at = due.shift()!;
          // Oldest idle socket first, so the load spreads over every socket.
          const i = idle.shift()!;
          inFlight++;
          connections[i]!.send(makers[i]!()).then(
            (status) => {
              record(at, status, connections[i]!);
              idle.push(i);
              inFlight--;
              if (due.length > 0 || (next >= stopAt && inFlight === 0)) pump();
            },
            () => {
              errors++;
              inFlight--;
            },
          );
        }
        if (next >= stopAt && due.length === 0 && inFlight === 0) resolve();
        else if (next < stopAt && timer === undefined) {
          timer = setTimeout(wake, Math.max(0, next - performance.now()));
        }
      };
      pump();
    });
  }
  const generatorBusy = performance.eventLoopUtilization(elu0).utilization;
  for (const c of connections) c.socket.destroy();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => round(percentile(latencies, p));
  return {
    requests: measured,
    rps: Math.round(measured / (job.durationMs / 1000)),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    p999Ms: at(0.999),
    non2xx,
    non2xxSamples,
    errors,
    generatorBusyPct: Math.round(generatorBusy * 1000) / 10,
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

if (import.meta.main) {
  const job = JSON.parse(process.argv[2]!) as LoadJob;
  runLoad(job).then((result) => process.stdout.write(`${JSON.stringify(result)}\n`));
}
