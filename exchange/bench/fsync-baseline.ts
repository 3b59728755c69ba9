import { closeSync, constants, fdatasyncSync, mkdirSync, openSync, rmSync, write, writeSync } from 'node:fs';
import { join } from 'node:path';
import { percentile } from './support/latency.ts';

/**
 * The physical bound of a durable journal on this disk: how many small write + fdatasync pairs per
 * second one thread gets, with nothing else in the way. Printed beside the journal's figures so a
 * reader can tell the journal's overhead from the disk's limit. Group commit lets the journal exceed
 * this in records per second, never in batches per second.
 */
export interface FsyncBaselineOptions {
  /** Folder on the disk to measure, normally the journal's data folder. */
  readonly dir: string;
  /** Write + fdatasync pairs to time. @default 2000 */
  readonly iterations?: number;
  /** Bytes written before each fdatasync. @default 64 */
  readonly recordBytes?: number;
}

export interface FsyncBaseline {
  readonly iterations: number;
  readonly recordBytes: number;
  readonly fsyncsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
}

export function measureFsyncBaseline(options: FsyncBaselineOptions): FsyncBaseline {
  const iterations = options.iterations ?? 2000;
  const recordBytes = options.recordBytes ?? 64;
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new RangeError(`iterations must be an integer >= 1, got ${iterations}`);
  if (!Number.isInteger(recordBytes) || recordBytes < 1)
    throw new RangeError(`recordBytes must be an integer >= 1, got ${recordBytes}`);
  mkdirSync(options.dir, { recursive: true });
  const path = join(options.dir, `.fsync-baseline-${process.pid}.tmp`);
  const record = Buffer.alloc(recordBytes, 0x5a);
  const latencies = new Float64Array(iterations);
  // Sync calls on purpose: the bare rate, without thread-pool hand-offs; appending like the journal does.
  const fd = openSync(path, 'w');
  try {
    let position = 0;
    const started = performance.now();
    for (let i = 0; i < iterations; i++) {
      const t = performance.now();
      writeSync(fd, record, 0, recordBytes, position);
      fdatasyncSync(fd);
      latencies[i] = performance.now() - t;
      position += recordBytes;
    }
    const elapsedMs = performance.now() - started;
    latencies.sort();
    const at = (q: number): number => round(percentile(latencies, q));
    return {
      iterations,
      recordBytes,
      fsyncsPerSec: Math.round((iterations / elapsedMs) * 1000),
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      p999Ms: at(0.999),
      maxMs: round(latencies[iterations - 1]!),
    };
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

if (import.meta.main) {
  const dir = process.argv[2] ?? join(process.cwd(), 'data');
  console.log(JSON.stringify(measureFsyncBaseline({ dir })));
}

export interface DurableStreamOptions {
  readonly dir: string;
  /** Bytes per second to make durable, e.g. the journal's record bytes at the offered command rate. */
  readonly bytesPerSec: number;
  readonly durationMs: number;
}

export interface DurableStream {
  readonly writes: number;
  readonly meanWriteBytes: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * The disk alone under the journal's load: one O_DSYNC write in flight at a time, each carrying every
 * byte that arrived (at `bytesPerSec`) while the previous one was on its way, which is group commit's
 * shape without any record, engine or JavaScript work. Its write latency tail is the floor under the
 * journal's acknowledgement tail at the same byte rate.
 */
export async function measureDurableStream(options: DurableStreamOptions): Promise<DurableStream> {
  mkdirSync(options.dir, { recursive: true });
  const path = join(options.dir, `.durable-stream-${process.pid}.tmp`);
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_DSYNC);
  const chunk = Buffer.alloc(8 * 1024 * 1024, 0x5a);
  const latencies: number[] = [];
  let bytesWritten = 0;
  try {
    const started = performance.now();
    let accounted = started;
    let position = 0;
    while (performance.now() - started < options.durationMs) {
      const now = performance.now();
      const bytes = Math.max(
        1,
        Math.min(chunk.length, Math.round(((now - accounted) * options.bytesPerSec) / 1000)),
      );
      accounted = now;
      await new Promise<void>((resolve, reject) =>
        write(fd, chunk, 0, bytes, position, (err) => (err ? reject(err) : resolve())),
      );
      latencies.push(performance.now() - now);
      position += bytes;
      bytesWritten += bytes;
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => round(percentile(latencies, q));
  return {
    writes: latencies.length,
    meanWriteBytes: Math.round(bytesWritten / latencies.length),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: round(latencies[latencies.length - 1]!),
  };
}
