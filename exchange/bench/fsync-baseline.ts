import { closeSync, fdatasyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

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
    const at = (q: number): number => round(latencies[Math.min(iterations - 1, Math.floor(q * iterations))]!);
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
