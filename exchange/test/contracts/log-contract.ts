import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Log, LogRecord } from '../../src/journal/log-port.ts';
import { skipApplied } from '../../src/journal/skip-applied.ts';

/**
 * The behaviour every adapter of the log port must show. Each adapter's test file calls `logContract`
 * with a way to get fresh, isolated storage; the file journal runs it now, a Kafka adapter (one topic
 * partition per harness) runs the same suite later.
 */
export interface LogHarness {
  /** Opens the log over this harness's storage; called again after `close()` it must see the same data. */
  open(): Promise<Log>;
  /** Deletes the storage. The suite closes every log it opened first. */
  destroy(): Promise<void>;
}

/** What the adapter does when a second writer opens a log that a first writer still holds. */
export interface LogContractOptions {
  /**
   * `fences-the-first`: the second open succeeds and the first writer can never append again (Kafka's
   * transactional fencing). `refused-while-first-holds`: the second open fails until the first writer
   * closes (a lock). Either way two writers never both append. Every adapter must say which: the
   * writer clause runs for each.
   */
  readonly secondWriter: 'fences-the-first' | 'refused-while-first-holds';
}

export function logContract(
  adapterName: string,
  createHarness: () => Promise<LogHarness>,
  contractOptions: LogContractOptions,
): void {
  /** Runs `body` with a fresh empty log, closing whatever it opened and destroying the storage after. */
  async function withLog(
    body: (log: Log, reopen: () => Promise<Log>, openAnother: () => Promise<Log>) => Promise<void>,
  ): Promise<void> {
    const harness = await createHarness();
    const opened: Log[] = [];
    const open = async (): Promise<Log> => {
      const log = await harness.open();
      opened.push(log);
      return log;
    };
    const reopen = async (): Promise<Log> => {
      for (const log of opened) await log.close();
      return open();
    };
    try {
      await body(await open(), reopen, open);
    } finally {
      for (const log of opened) await log.close();
      await harness.destroy();
    }
  }

  describe(`log contract: ${adapterName}`, () => {
    test('an empty log has no records and lastSeq 0', () =>
      withLog(async (log) => {
        assert.equal(log.lastSeq(), 0);
        assert.equal(log.firstSeq(), 0);
        assert.deepEqual(await readAll(log, 0), []);
        assert.deepEqual(await readAll(log, 1), []);
      }));

    test('reads back what was appended, in order, with seq, ts and payload intact', () =>
      withLog(async (log) => {
        const records = makeRecords(1, 500);
        await log.append(records);
        assert.equal(log.lastSeq(), 500);
        assert.equal(log.firstSeq(), 1);
        assertSameRecords(await readAll(log, 1), records);
      }));

    test("a record's context (a trace's traceparent) comes back beside it, after a reopen too; records without one have none", () =>
      withLog(async (log, reopen) => {
        const traceparent = new TextEncoder().encode(
          '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        );
        const records = makeRecords(1, 6).map((r) => (r.seq % 2 === 0 ? { ...r, context: traceparent } : r));
        await log.append(records);
        for (const read of [await readAll(log, 1), await readAll(await reopen(), 1)]) {
          assertSameRecords(read, records);
          for (const r of read) {
            if (r.seq % 2 === 0)
              assert.ok(Buffer.from(r.context!).equals(Buffer.from(traceparent)), `context of ${r.seq}`);
            else assert.equal(r.context, undefined, `seq ${r.seq} carries no context`);
          }
        }
      }));

    test('a resolved append is durable and visible to readers at once', () =>
      withLog(async (log) => {
        for (let seq = 1; seq <= 20; seq++) {
          await log.appendOne(record(seq));
          assert.equal(log.lastSeq(), seq);
          const read = await readAll(log, seq);
          assert.deepEqual(
            read.map((r) => r.seq),
            [seq],
          );
        }
      }));

    test('appends issued without waiting all resolve and keep their order', () =>
      withLog(async (log) => {
        const records = makeRecords(1, 2000);
        await Promise.all(records.map((r) => log.appendOne(r)));
        assert.equal(log.lastSeq(), 2000);
        assertSameRecords(await readAll(log, 1), records);
      }));

    test('reads from any seq onward', () =>
      withLog(async (log) => {
        const records = makeRecords(1, 300);
        await log.append(records);
        for (const from of [0, 1, 2, 150, 299, 300]) {
          assertSameRecords(await readAll(log, from), records.slice(Math.max(0, from - 1)));
        }
        assert.deepEqual(await readAll(log, 301), []);
        assert.deepEqual(await readAll(log, Number.MAX_SAFE_INTEGER), []);
      }));

    test('seqs may have gaps; a read from inside a gap starts at the next record', () =>
      withLog(async (log) => {
        await log.append([record(10), record(20), record(30)]);
        assert.deepEqual(
          (await readAll(log, 11)).map((r) => r.seq),
          [20, 30],
        );
        assert.equal(log.lastSeq(), 30);
      }));

    test('a reopened log holds every acknowledged record and continues after them', () =>
      withLog(async (log, reopen) => {
        const first = makeRecords(1, 1000);
        await log.append(first);
        const again = await reopen();
        assert.equal(again.lastSeq(), 1000);
        assertSameRecords(await readAll(again, 1), first);
        await again.appendOne(record(1001));
        const third = await reopen();
        assert.equal(third.lastSeq(), 1001);
        assert.equal((await readAll(third, 1)).length, 1001);
      }));

    test('rejects a seq that does not increase, and keeps working', () =>
      withLog(async (log) => {
        await log.append([record(1), record(2)]);
        await assert.rejects(log.appendOne(record(2)), { code: 'JOURNAL_SEQUENCE' });
        await assert.rejects(log.appendOne(record(1)), { code: 'JOURNAL_SEQUENCE' });
        await assert.rejects(log.append([record(3), record(3)]), { code: 'JOURNAL_SEQUENCE' });
        await log.appendOne(record(3));
        assert.deepEqual(
          (await readAll(log, 1)).map((r) => r.seq),
          [1, 2, 3],
        );
      }));

    test('a batch with one bad record appends none of it', () =>
      withLog(async (log) => {
        await log.appendOne(record(1));
        await assert.rejects(log.append([record(2), record(3), record(1)]), { code: 'JOURNAL_SEQUENCE' });
        await assert.rejects(log.append([record(2), { seq: 3, ts: -1, payload: new Uint8Array(1) }]), {
          code: 'JOURNAL_RECORD',
        });
        assert.equal(log.lastSeq(), 1);
        await log.append([record(2), record(3)]);
        assert.equal((await readAll(log, 1)).length, 3);
      }));

    test('rejects seqs that are not positive safe integers', () =>
      withLog(async (log) => {
        for (const seq of [0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) {
          await assert.rejects(log.appendOne(record(seq)), { code: 'JOURNAL_SEQUENCE' }, `seq ${seq}`);
        }
      }));

    test('empty and large payloads round-trip byte for byte', () =>
      withLog(async (log, reopen) => {
        const big = new Uint8Array(4 * 1024 * 1024).map((_, i) => (i * 31 + 7) & 0xff);
        const records: LogRecord[] = [
          { seq: 1, ts: 1, payload: new Uint8Array(0) },
          { seq: 2, ts: 2, payload: big },
          { seq: 3, ts: 3, payload: new Uint8Array([1, 2, 3]) },
          { seq: 4, ts: 4, payload: big.subarray(1, 1024 * 1024 + 3) },
        ];
        await log.append(records);
        assertSameRecords(await readAll(log, 1), records);
        assertSameRecords(await readAll(await reopen(), 1), records);
      }));

    test('large appends issued together all become durable (a group commit of them is not one oversized write)', () =>
      withLog(async (log) => {
        const big = (seq: number) => ({ seq, ts: seq, payload: new Uint8Array(3 * 1024 * 1024).fill(seq) });
        await Promise.all([1, 2, 3, 4].map((seq) => log.appendOne(big(seq))));
        const read = await readAll(log, 1);
        assert.deepEqual(
          read.map((r) => [r.seq, r.payload.length, r.payload[0]]),
          [1, 2, 3, 4].map((seq) => [seq, 3 * 1024 * 1024, seq]),
        );
      }));

    test('copies payloads before append returns, so callers may reuse their buffers', () =>
      withLog(async (log) => {
        const shared = new Uint8Array([1, 2, 3]);
        const durable = [log.appendOne({ seq: 1, ts: 1, payload: shared })];
        shared.set([4, 5, 6]);
        durable.push(log.appendOne({ seq: 2, ts: 2, payload: shared }));
        shared.fill(0);
        await Promise.all(durable);
        const read = await readAll(log, 1);
        assert.deepEqual(
          read.map((r) => [...r.payload]),
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
        );
      }));

    test('keeps large timestamps and seqs exactly', () =>
      withLog(async (log) => {
        const records = [
          { seq: 2 ** 40 + 1, ts: 1_767_225_600_000, payload: new Uint8Array([9]) },
          { seq: Number.MAX_SAFE_INTEGER, ts: Number.MAX_SAFE_INTEGER, payload: new Uint8Array([8]) },
        ];
        await log.append(records);
        assertSameRecords(await readAll(log, 0), records);
      }));

    test('tail yields existing records, then new ones as they become durable, until aborted', () =>
      withLog(async (log) => {
        await log.append(makeRecords(1, 10));
        const stop = new AbortController();
        const seen: number[] = [];
        const consumer = (async () => {
          for await (const batch of log.tail(5, { signal: stop.signal })) {
            for (const r of batch) seen.push(r.seq);
            if (seen.at(-1) === 60) stop.abort();
          }
        })();
        for (let seq = 11; seq <= 60; seq++) await log.appendOne(record(seq));
        await consumer;
        assert.deepEqual(seen, range(5, 60));
      }));

    test('tail on an empty log waits for the first record', () =>
      withLog(async (log) => {
        const stop = new AbortController();
        const seen: number[] = [];
        const consumer = (async () => {
          for await (const batch of log.tail(0, { signal: stop.signal })) {
            for (const r of batch) seen.push(r.seq);
            if (seen.length === 3) stop.abort();
          }
        })();
        await log.append([record(1), record(2), record(3)]);
        await consumer;
        assert.deepEqual(seen, [1, 2, 3]);
      }));

    test('tail ends when the log closes', () =>
      withLog(async (log) => {
        await log.appendOne(record(1));
        const seen: number[] = [];
        const consumer = (async () => {
          for await (const batch of log.tail(1)) for (const r of batch) seen.push(r.seq);
        })();
        await log.appendOne(record(2));
        await log.close();
        await consumer;
        assert.deepEqual(seen.slice(0, 1), [1]);
      }));

    test('an at-least-once consumer made idempotent by seq applies each record once', () =>
      withLog(async (log) => {
        await log.append(makeRecords(1, 200));
        // The consumer applied up to 120, then crashed; on restart it re-reads from an older position
        // (as a Kafka consumer does from its last committed offset) and skips what it already applied.
        const applied: number[] = range(1, 120);
        for await (const r of skipApplied(log.read(100), 120)) applied.push(r.seq);
        await log.append(makeRecords(201, 210));
        for await (const r of skipApplied(log.read(150), applied.at(-1)!)) applied.push(r.seq);
        assert.deepEqual(applied, range(1, 210));
      }));

    test('readers are independent of each other', () =>
      withLog(async (log) => {
        await log.append(makeRecords(1, 100));
        const [a, b] = await Promise.all([readAll(log, 1), readAll(log, 50)]);
        assert.equal(a.length, 100);
        assert.equal(b.length, 51);
      }));

    test('prune keeps every record after the given seq', () =>
      withLog(async (log, reopen) => {
        await log.append(makeRecords(1, 3000));
        await log.prune(2000);
        assert.ok(log.firstSeq() >= 1 && log.firstSeq() <= 2001, `firstSeq ${log.firstSeq()}`);
        const kept = await readAll(log, 0);
        assert.deepEqual(
          kept.map((r) => r.seq),
          range(log.firstSeq(), 3000),
        );
        await log.prune(Number.MAX_SAFE_INTEGER);
        assert.equal(log.lastSeq(), 3000);
        const again = await reopen();
        assert.equal(again.lastSeq(), 3000);
        await again.appendOne(record(3001));
      }));

    test('refuses appends once closed', () =>
      withLog(async (log) => {
        await log.appendOne(record(1));
        await log.close();
        await assert.rejects(log.appendOne(record(2)), { code: 'JOURNAL_CLOSED' });
      }));

    const { secondWriter } = contractOptions;
    if (secondWriter === 'fences-the-first') {
      test('a second writer can never append once a newer one has started', () =>
        withLog(async (first, _reopen, openAnother) => {
          await first.append(makeRecords(1, 5));
          // Appends of the first writer still in flight while the newer one starts: each either
          // becomes durable before the fence (and the newer writer continues after it) or is refused.
          const inFlight = Promise.allSettled(makeRecords(6, 40).map((r) => first.appendOne(r)));
          const second = await openAnother();
          const settled = await inFlight;
          const last = second.lastSeq();
          settled.forEach((outcome, i) => {
            const seq = 6 + i;
            if (outcome.status === 'fulfilled')
              assert.ok(seq <= last, `seq ${seq} acknowledged after the fence`);
            else assert.equal((outcome.reason as { code?: string }).code, 'JOURNAL_FENCED', `seq ${seq}`);
          });
          await assert.rejects(first.appendOne(record(last + 1)), { code: 'JOURNAL_FENCED' });
          await second.appendOne({ seq: last + 1, ts: 1, payload: new Uint8Array([42]) });
          await assert.rejects(first.appendOne(record(last + 2)), { code: 'JOURNAL_FENCED' });
          const read = await readAll(second, 1);
          assert.deepEqual(
            read.map((r) => r.seq),
            range(1, last + 1),
          );
          assert.deepEqual([...read.at(-1)!.payload], [42]);
        }));
    }
    if (secondWriter === 'refused-while-first-holds') {
      // Fencing: two writers on one log would interleave seqs or overwrite each other's records.
      test('a second writer cannot append while the first holds the log', () =>
        withLog(async (log, reopen, openAnother) => {
          await log.appendOne(record(1));
          let second: Log | undefined;
          try {
            second = await openAnother();
          } catch {
            // Refused at open: the strongest form of the fence.
          }
          if (second !== undefined) {
            await assert.rejects(second.appendOne(record(2)), 'the second writer appended');
          }
          await log.appendOne(record(2));
          assert.equal(log.lastSeq(), 2);
          // Once the first writer lets go, the log takes a writer again.
          const next = await reopen();
          await next.appendOne(record(3));
          assert.deepEqual(
            (await readAll(next, 1)).map((r) => r.seq),
            [1, 2, 3],
          );
        }));
    }

    test('close waits for pending appends to become durable', () =>
      withLog(async (log, reopen) => {
        const pending = makeRecords(1, 100).map((r) => log.appendOne(r));
        await log.close();
        await Promise.all(pending);
        assert.equal((await reopen()).lastSeq(), 100);
      }));
  });
}

function record(seq: number): LogRecord {
  const payload = new TextEncoder().encode(`command ${seq}`);
  return { seq, ts: 1_767_225_600_000 + seq, payload };
}

function makeRecords(from: number, to: number): LogRecord[] {
  return range(from, to).map(record);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

async function readAll(log: Log, fromSeq: number): Promise<LogRecord[]> {
  const all: LogRecord[] = [];
  for await (const batch of log.read(fromSeq)) all.push(...batch);
  return all;
}

function assertSameRecords(actual: readonly LogRecord[], expected: readonly LogRecord[]): void {
  assert.equal(actual.length, expected.length, 'record count');
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    assert.equal(a.seq, e.seq, `seq at index ${i}`);
    assert.equal(a.ts, e.ts, `ts of seq ${e.seq}`);
    assert.ok(Buffer.from(a.payload).equals(Buffer.from(e.payload)), `payload of seq ${e.seq}`);
  }
}
