import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { JournalCorruptError } from '../log-errors.ts';
import type { LogRecord } from '../log-port.ts';
import { FileJournal } from './file-journal.ts';
import { RECORD_HEADER_BYTES } from './record-codec.ts';
import { encodeSegmentHeader, SEGMENT_HEADER_BYTES, segmentFileName } from './segment-file.ts';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bourse-file-journal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// 10-byte payloads make every record 34 bytes, so offsets below are easy to compute.
const PAYLOAD_BYTES = 10;
const RECORD_BYTES = RECORD_HEADER_BYTES + PAYLOAD_BYTES;

function record(seq: number): LogRecord {
  return { seq, ts: 1_000 + seq, payload: new Uint8Array(PAYLOAD_BYTES).fill(seq & 0xff) };
}

async function writeJournal(count: number, segmentBytes = 1024 * 1024): Promise<void> {
  const journal = await FileJournal.open({ dir, segmentBytes });
  await journal.append(Array.from({ length: count }, (_, i) => record(i + 1)));
  await journal.close();
}

async function seqs(journal: FileJournal, from = 0): Promise<number[]> {
  const out: number[] = [];
  for await (const batch of journal.read(from)) for (const r of batch) out.push(r.seq);
  return out;
}

function segmentPaths(): string[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.seg'))
    .sort()
    .map((n) => join(dir, n));
}

function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  bytes[offset] = bytes[offset]! ^ 0x40;
  writeFileSync(path, bytes);
}

async function openFails(options: { verifySealedSegments?: boolean } = {}): Promise<JournalCorruptError> {
  try {
    await FileJournal.open({ dir, ...options });
  } catch (err) {
    assert.ok(err instanceof JournalCorruptError, `expected JournalCorruptError, got ${err}`);
    assert.equal(err.code, 'JOURNAL_CORRUPT');
    return err;
  }
  assert.fail('open succeeded on a corrupt journal');
}

describe('segments', () => {
  test('roll at the configured size and are named after their first seq', async () => {
    // Header plus 10 records fit in 16 + 340 = 356 bytes.
    await writeJournal(35, SEGMENT_HEADER_BYTES + 10 * RECORD_BYTES);
    assert.deepEqual(readdirSync(dir).sort(), [1, 11, 21, 31].map(segmentFileName));
    assert.equal(statSync(segmentPaths()[0]!).size, SEGMENT_HEADER_BYTES + 10 * RECORD_BYTES);
    const journal = await FileJournal.open({ dir, segmentBytes: SEGMENT_HEADER_BYTES + 10 * RECORD_BYTES });
    assert.deepEqual(
      await seqs(journal, 9),
      Array.from({ length: 27 }, (_, i) => i + 9),
    );
    await journal.close();
  });

  test('a record larger than a segment gets a segment of its own', async () => {
    const journal = await FileJournal.open({ dir, segmentBytes: 4096 });
    await journal.append([record(1), { seq: 2, ts: 2, payload: new Uint8Array(10_000) }, record(3)]);
    assert.deepEqual(
      journal.segments().map((s) => [s.firstSeq, s.lastSeq]),
      [
        [1, 1],
        [2, 2],
        [3, 3],
      ],
    );
    await journal.close();
  });

  test('prune deletes whole segments only, never the active one', async () => {
    await writeJournal(35, SEGMENT_HEADER_BYTES + 10 * RECORD_BYTES);
    const journal = await FileJournal.open({ dir, segmentBytes: SEGMENT_HEADER_BYTES + 10 * RECORD_BYTES });
    await journal.prune(15);
    assert.equal(journal.firstSeq(), 11, 'segment 11..20 still holds 16..20');
    await journal.prune(20);
    assert.equal(journal.firstSeq(), 21);
    await journal.prune(1_000);
    assert.equal(journal.firstSeq(), 31);
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.endsWith('.seg')),
      [segmentFileName(31)],
    );
    await journal.close();
  });
});

describe('group commit', () => {
  test('appends issued together share one durable write', async () => {
    const batches: number[] = [];
    const onBatch = (message: unknown): void => {
      batches.push((message as { bytes: number }).bytes);
    };
    subscribe('bourse:journal:batch', onBatch);
    try {
      const journal = await FileJournal.open({ dir, batchWindowMs: 1 });
      await Promise.all(Array.from({ length: 1000 }, (_, i) => journal.appendOne(record(i + 1))));
      await journal.close();
    } finally {
      unsubscribe('bourse:journal:batch', onBatch);
    }
    assert.deepEqual(batches, [1000 * RECORD_BYTES]);
  });

  test('a zero batch window still batches appends made in the same tick', async () => {
    const journal = await FileJournal.open({ dir, batchWindowMs: 0 });
    await Promise.all([journal.appendOne(record(1)), journal.appendOne(record(2))]);
    assert.equal(journal.lastSeq(), 2);
    await journal.close();
  });
});

describe('torn tail', () => {
  test('a record cut mid-way is cut off on open, and appends continue after it', async () => {
    await writeJournal(20);
    const [segment] = segmentPaths();
    const cutAt = SEGMENT_HEADER_BYTES + 19 * RECORD_BYTES + 7;
    truncateSync(segment!, cutAt);
    const journal = await FileJournal.open({ dir });
    assert.equal(journal.lastSeq(), 19);
    assert.deepEqual(journal.repairs, [
      {
        file: segment,
        offset: SEGMENT_HEADER_BYTES + 19 * RECORD_BYTES,
        bytesCut: 7,
        reason: journal.repairs[0]?.reason,
        keptThroughSeq: 19,
      },
    ]);
    assert.equal(statSync(segment!).size, SEGMENT_HEADER_BYTES + 19 * RECORD_BYTES);
    await journal.appendOne(record(20));
    await journal.close();
    const reopened = await FileJournal.open({ dir });
    assert.deepEqual(reopened.repairs, []);
    assert.equal((await seqs(reopened)).length, 20);
    await reopened.close();
  });

  test('garbage appended after the last record is cut off', async () => {
    await writeJournal(20);
    const [segment] = segmentPaths();
    appendFileSync(segment!, Buffer.from('\x07\x00\x00\x00garbage after a crash, not a record'));
    const journal = await FileJournal.open({ dir });
    assert.equal(journal.lastSeq(), 20);
    assert.equal(journal.repairs.length, 1);
    assert.equal(journal.repairs[0]!.offset, SEGMENT_HEADER_BYTES + 20 * RECORD_BYTES);
    await journal.close();
  });

  test('a zero-filled tail is cut off', async () => {
    await writeJournal(5);
    appendFileSync(segmentPaths()[0]!, Buffer.alloc(4096));
    const journal = await FileJournal.open({ dir });
    assert.equal(journal.lastSeq(), 5);
    await journal.close();
  });

  test('a new segment whose creation was cut short is dropped', async () => {
    await writeJournal(5);
    writeFileSync(join(dir, segmentFileName(6)), encodeSegmentHeader(6, 5).subarray(0, 9));
    const journal = await FileJournal.open({ dir });
    assert.equal(journal.lastSeq(), 5);
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.endsWith('.seg')),
      [segmentFileName(1)],
    );
    await journal.appendOne(record(6));
    await journal.close();
  });

  test('read-only open leaves the torn tail on disk but does not read it', async () => {
    await writeJournal(5);
    const [segment] = segmentPaths();
    truncateSync(segment!, statSync(segment!).size - 3);
    const before = statSync(segment!).size;
    const journal = await FileJournal.open({ dir, readOnly: true });
    assert.deepEqual(await seqs(journal), [1, 2, 3, 4]);
    await assert.rejects(journal.appendOne(record(5)), { code: 'JOURNAL_CLOSED' });
    await journal.close();
    assert.equal(statSync(segment!).size, before);
  });
});

describe('corruption', () => {
  const small = SEGMENT_HEADER_BYTES + 10 * RECORD_BYTES;

  test('a flipped payload byte in a sealed segment stops the open, naming file and record offset', async () => {
    await writeJournal(30, small);
    const sealed = segmentPaths()[1]!;
    const recordAt = SEGMENT_HEADER_BYTES + 4 * RECORD_BYTES;
    flipByte(sealed, recordAt + RECORD_HEADER_BYTES + 3);
    const err = await openFails();
    assert.equal(err.file, sealed);
    assert.equal(err.offset, recordAt);
    assert.match(err.message, new RegExp(`${sealed}.*offset ${recordAt}`));
  });

  test('a flipped seq in a sealed segment is caught by the CRC', async () => {
    await writeJournal(30, small);
    const sealed = segmentPaths()[0]!;
    flipByte(sealed, SEGMENT_HEADER_BYTES + 9 * RECORD_BYTES + 4);
    const err = await openFails();
    assert.equal(err.offset, SEGMENT_HEADER_BYTES + 9 * RECORD_BYTES);
  });

  test('a torn-looking last record of a sealed segment is corruption, not a torn tail', async () => {
    await writeJournal(30, small);
    const sealed = segmentPaths()[1]!;
    truncateSync(sealed, statSync(sealed).size - 5);
    const err = await openFails();
    assert.equal(err.file, sealed);
    assert.equal(err.offset, SEGMENT_HEADER_BYTES + 9 * RECORD_BYTES);
  });

  test('a bad record in the last segment followed by valid records stops the open', async () => {
    await writeJournal(30, small);
    const last = segmentPaths()[2]!;
    flipByte(last, SEGMENT_HEADER_BYTES + 2 * RECORD_BYTES + RECORD_HEADER_BYTES);
    const err = await openFails();
    assert.equal(err.file, last);
    assert.equal(err.offset, SEGMENT_HEADER_BYTES + 2 * RECORD_BYTES);
    assert.match(err.reason, /valid record follows at offset/);
    assert.equal(statSync(last).size, small, 'nothing was truncated');
  });

  test('a damaged segment header is reported at its offset', async () => {
    await writeJournal(30, small);
    const sealed = segmentPaths()[0]!;
    flipByte(sealed, 0);
    assert.equal((await openFails()).offset, 0);
  });

  test('a segment missing from the middle is reported, though seqs may have gaps', async () => {
    await writeJournal(30, small);
    const [, middle, last] = segmentPaths();
    rmSync(middle!);
    const err = await openFails();
    assert.equal(err.file, last);
    assert.equal(err.offset, 16);
    assert.match(err.reason, /segment is missing/);
  });

  test('the oldest segments may be missing: that is what pruning leaves', async () => {
    await writeJournal(30, small);
    rmSync(segmentPaths()[0]!);
    const journal = await FileJournal.open({ dir });
    assert.equal(journal.firstSeq(), 11);
    await journal.close();
  });

  test('with verification at open off, a reader still refuses the corrupt record', async () => {
    await writeJournal(30, small);
    const sealed = segmentPaths()[0]!;
    flipByte(sealed, SEGMENT_HEADER_BYTES + 3 * RECORD_BYTES + 30);
    const journal = await FileJournal.open({ dir, verifySealedSegments: false });
    await assert.rejects(seqs(journal), (err: unknown) => {
      assert.ok(err instanceof JournalCorruptError);
      assert.equal(err.file, sealed);
      assert.equal(err.offset, SEGMENT_HEADER_BYTES + 3 * RECORD_BYTES);
      return true;
    });
    await journal.close();
  });
});

describe('options', () => {
  test('fails if a size is not a positive integer, quoting the value', async () => {
    await assert.rejects(FileJournal.open({ dir, segmentBytes: 10 }), /segmentBytes .* got 10$/);
    await assert.rejects(FileJournal.open({ dir, batchWindowMs: -1 }), /batchWindowMs .* got -1$/);
  });
});

describe('one writer', () => {
  test('a second writer on the folder is refused before it reads or cuts anything; readers are not', async () => {
    await writeJournal(5);
    const writer = await FileJournal.open({ dir });
    // A torn tail the second writer would cut, were it let in.
    appendFileSync(segmentPaths()[0]!, Buffer.alloc(7, 1));
    const sizeBefore = statSync(segmentPaths()[0]!).size;
    await assert.rejects(FileJournal.open({ dir }), {
      code: 'LOCK_HELD',
      message: new RegExp(`process ${process.pid}`),
    });
    assert.equal(statSync(segmentPaths()[0]!).size, sizeBefore, 'the refused writer cut nothing');
    const reader = await FileJournal.open({ dir, readOnly: true });
    assert.deepEqual(await seqs(reader, 1), [1, 2, 3, 4, 5]);
    await reader.close();
    await writer.close();
    const next = await FileJournal.open({ dir });
    assert.equal(next.lastSeq(), 5);
    await next.close();
  });

  test('segments are created owner-only', async () => {
    await writeJournal(3);
    assert.equal(statSync(segmentPaths()[0]!).mode & 0o777, 0o600);
  });
});
