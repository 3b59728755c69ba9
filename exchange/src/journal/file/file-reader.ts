import { open } from 'node:fs/promises';
import { JournalClosedError, JournalCorruptError } from '../log-errors.ts';
import type { LogRecord } from '../log-port.ts';
import type { JournalState } from './journal-state.ts';
import { SegmentCursor } from './segment-cursor.ts';
import { SEGMENT_HEADER_BYTES } from './segment-file.ts';
import type { SegmentInfo } from './segment-info.ts';

/**
 * Reads durable records from `fromSeq` on, one batch per chunk read (`readChunkBytes`, 256 KiB by
 * default), with asynchronous reads so that a projection catching up does not stall the sequencer's
 * event loop. Records below `fromSeq` in the first segment are stepped over by their headers only.
 * With `follow`, waits at the end of the log for the next durable batch instead of returning.
 */
export async function* readRecords(
  state: JournalState,
  fromSeq: number,
  follow: boolean,
  signal: AbortSignal | undefined,
): AsyncGenerator<readonly LogRecord[]> {
  if (!Number.isSafeInteger(fromSeq) || fromSeq < 0) {
    throw new RangeError(`fromSeq must be a non-negative safe integer, got ${fromSeq}`);
  }
  const { maxPayloadBytes, readChunkBytes } = state.options;
  const aborted = signal === undefined ? undefined : abortPromise(signal);
  try {
    let segment = startSegment(state.segments, fromSeq);
    let prevSeq = 0;
    for (;;) {
      if (signal?.aborted) return;
      if (state.closed) {
        if (follow) return;
        throw new JournalClosedError();
      }
      if (segment === undefined) {
        if (!follow) return;
        await (aborted === undefined
          ? state.durable.wait()
          : Promise.race([state.durable.wait(), aborted.promise]));
        segment = startSegment(state.segments, fromSeq);
        continue;
      }
      const handle = await open(segment.path, 'r');
      try {
        const cursor = new SegmentCursor(
          SEGMENT_HEADER_BYTES,
          prevSeq,
          fromSeq,
          maxPayloadBytes,
          readChunkBytes,
        );
        for (;;) {
          if (signal?.aborted) return;
          const request = cursor.nextRead(segment.durableSize);
          if (request !== undefined) {
            const { bytesRead } = await handle.read(
              request.buffer,
              request.offset,
              request.length,
              request.position,
            );
            if (bytesRead === 0) {
              throw new JournalCorruptError(
                segment.path,
                request.position,
                'file is shorter than its synced size',
              );
            }
            const out: LogRecord[] = [];
            const problem = cursor.advance(bytesRead, out);
            if (problem !== undefined) throw new JournalCorruptError(segment.path, cursor.offset, problem);
            if (out.length > 0) yield out;
            continue;
          }
          if (cursor.pendingBytes > 0) {
            throw new JournalCorruptError(segment.path, cursor.offset, 'synced data ends inside a record');
          }
          if (segment.sealed) break;
          if (!follow || state.closed) return;
          await (aborted === undefined
            ? state.durable.wait()
            : Promise.race([state.durable.wait(), aborted.promise]));
          if (state.closed) return;
        }
        prevSeq = cursor.lastSeq;
      } finally {
        await handle.close();
      }
      const after: number = segment.firstSeq;
      segment = state.segments.find((s) => s.firstSeq > after);
    }
  } finally {
    aborted?.dispose();
  }
}

/** The segment that holds `fromSeq`, or the first one if `fromSeq` is older than everything retained. */
function startSegment(segments: readonly SegmentInfo[], fromSeq: number): SegmentInfo | undefined {
  let found = segments[0];
  for (const segment of segments) {
    if (segment.firstSeq > fromSeq) break;
    found = segment;
  }
  return found;
}

function abortPromise(signal: AbortSignal): { promise: Promise<void>; dispose(): void } {
  const { promise, resolve } = Promise.withResolvers<void>();
  const onAbort = (): void => resolve();
  signal.addEventListener('abort', onAbort, { once: true });
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}
