import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { SNAPSHOT_CHUNK_BYTES, SNAPSHOT_HEADER_BYTES } from '../snapshot-format.ts';
import { FileSnapshotStore } from './file-snapshot-store.ts';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bourse-snapshots-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const bigBody = (seed: number): Uint8Array =>
  Uint8Array.from({ length: 5 * SNAPSHOT_CHUNK_BYTES + 123 }, (_, i) => (i * 7 + seed) & 0xff);
// The 5 full chunks plus a partial one make a CRC table of 6 entries.
const BODY_AT = SNAPSHOT_HEADER_BYTES + 4 * 6;

function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  bytes[offset] = bytes[offset]! ^ 0x01;
  writeFileSync(path, bytes);
}

test('writes atomically and loads back the newest snapshot', async () => {
  const store = await FileSnapshotStore.open(dir);
  await store.write(100, 1_000, bigBody(1));
  const written = await store.write(200, 2_000, 'state as of 200');
  const { snapshot, problems } = await store.latestValid();
  assert.deepEqual(problems, []);
  assert.equal(snapshot?.seq, 200);
  assert.equal(snapshot?.ts, 2_000);
  assert.equal(snapshot?.file, written.file);
  assert.equal(Buffer.from(snapshot!.body).toString('utf8'), 'state as of 200');
  assert.deepEqual(readdirSync(dir).sort(), [
    'snapshot-00000000000000000100.snap',
    'snapshot-00000000000000000200.snap',
  ]);
});

test('an empty folder has no snapshot and no problems', async () => {
  const store = await FileSnapshotStore.open(dir);
  assert.deepEqual(await store.latestValid(), { snapshot: undefined, problems: [] });
});

test('a flipped body byte is reported with file and the offset of its chunk, and an older one is used', async () => {
  const store = await FileSnapshotStore.open(dir);
  await store.write(100, 1, bigBody(1));
  const newer = await store.write(200, 2, bigBody(2));
  const flipped = BODY_AT + 3 * SNAPSHOT_CHUNK_BYTES + 17;
  flipByte(newer.file, flipped);
  const { snapshot, problems } = await store.latestValid();
  assert.equal(snapshot?.seq, 100);
  assert.deepEqual(Buffer.from(snapshot!.body), Buffer.from(bigBody(1)));
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.file, newer.file);
  assert.equal(problems[0]!.offset, BODY_AT + 3 * SNAPSHOT_CHUNK_BYTES);
  assert.ok(problems[0]!.offset <= flipped && flipped < problems[0]!.offset + SNAPSHOT_CHUNK_BYTES);
  assert.match(problems[0]!.reason, /SHA-256 mismatch/);
});

test('damage to the header, the stored hash or the length is reported, never skipped silently', async () => {
  const cases: [string, (file: string) => void, number][] = [
    ['seq field', (f) => flipByte(f, 9), 0],
    ['stored hash', (f) => flipByte(f, 50), 40],
    ['truncated body', (f) => truncateSync(f, BODY_AT + 10), BODY_AT + 10],
    ['header only', (f) => truncateSync(f, 20), 20],
  ];
  for (const [name, damage, offset] of cases) {
    const store = await FileSnapshotStore.open(dir);
    await store.write(1, 1, 'older, good');
    const newer = await store.write(2, 2, bigBody(3));
    damage(newer.file);
    const { snapshot, problems } = await store.latestValid();
    assert.equal(snapshot?.seq, 1, name);
    assert.deepEqual(
      problems.map((p) => [p.file, p.offset]),
      [[newer.file, offset]],
      name,
    );
    rmSync(newer.file);
  }
});

test('when every snapshot is bad, there is none, with a problem for each', async () => {
  const store = await FileSnapshotStore.open(dir);
  const a = await store.write(1, 1, 'a');
  const b = await store.write(2, 2, 'b');
  // One-byte bodies: a header, one CRC table entry, then the body.
  flipByte(a.file, SNAPSHOT_HEADER_BYTES + 4);
  flipByte(b.file, 0);
  const { snapshot, problems } = await store.latestValid();
  assert.equal(snapshot, undefined);
  assert.deepEqual(
    problems.map((p) => p.file),
    [b.file, a.file],
  );
});

test('a file renamed to another seq is refused', async () => {
  const store = await FileSnapshotStore.open(dir);
  const written = await store.write(5, 1, 'five');
  const renamed = join(dir, 'snapshot-00000000000000000009.snap');
  writeFileSync(renamed, readFileSync(written.file));
  const { snapshot, problems } = await store.latestValid();
  assert.equal(snapshot?.seq, 5);
  assert.deepEqual(
    problems.map((p) => [p.file, p.offset]),
    [[renamed, 8]],
  );
});

test('list is newest first; prune removes the older ones only', async () => {
  const store = await FileSnapshotStore.open(dir);
  for (const seq of [10, 20, 30]) await store.write(seq, seq, `s${seq}`);
  assert.deepEqual(
    (await store.list()).map((e) => e.seq),
    [30, 20, 10],
  );
  const pruned = await store.prune(20);
  assert.deepEqual(
    pruned.map((e) => e.seq),
    [10],
  );
  assert.deepEqual(
    (await store.list()).map((e) => e.seq),
    [30, 20],
  );
});

test('open removes temp files left by a crash mid-write', async () => {
  writeFileSync(join(dir, '.snapshot-00000000000000000007.1234.abcd.tmp'), 'half a snapshot');
  writeFileSync(join(dir, 'unrelated.txt'), 'kept');
  const store = await FileSnapshotStore.open(dir);
  assert.deepEqual(readdirSync(dir), ['unrelated.txt']);
  assert.deepEqual(await store.latestValid(), { snapshot: undefined, problems: [] });
});

test('fails if seq or ts is not a non-negative safe integer', async () => {
  const store = await FileSnapshotStore.open(dir);
  await assert.rejects(store.write(-1, 0, 'x'), /seq .* got -1/);
  await assert.rejects(store.write(1, 1.5, 'x'), /ts .* got 1.5/);
});
