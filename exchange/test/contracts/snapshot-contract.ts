import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SnapshotStore } from '../../src/journal/snapshots/snapshot-store.ts';

/**
 * The behaviour every adapter of the snapshot store port must show (the file store in one folder, the
 * Kafka store on a compacted topic). Damage to stored bytes is adapter-specific and tested beside
 * each adapter; this suite is what recovery, the snapshotter and the replica rely on.
 */
export interface SnapshotHarness {
  /** Opens a store over this harness's storage; called again it must see the same snapshots. */
  open(): Promise<SnapshotStore>;
  /** Releases what `open` returned (a no-op for a store without connections). */
  close(store: SnapshotStore): Promise<void>;
  destroy(): Promise<void>;
}

export function snapshotContract(adapterName: string, createHarness: () => Promise<SnapshotHarness>): void {
  async function withStore(
    body: (store: SnapshotStore, reopen: () => Promise<SnapshotStore>) => Promise<void>,
  ) {
    const harness = await createHarness();
    const opened: SnapshotStore[] = [];
    const open = async () => {
      const store = await harness.open();
      opened.push(store);
      return store;
    };
    try {
      await body(await open(), open);
    } finally {
      for (const store of opened) await harness.close(store);
      await harness.destroy();
    }
  }

  describe(`snapshot store contract: ${adapterName}`, () => {
    test('an empty store has no snapshot and no problems', () =>
      withStore(async (store) => {
        assert.deepEqual(await store.list(), []);
        assert.deepEqual(await store.latestValid(), { snapshot: undefined, problems: [] });
      }));

    test('latestValid is the newest written, with seq, ts and body intact', () =>
      withStore(async (store) => {
        await store.write(100, 1_000, 'state as of 100');
        const written = await store.write(200, 2_000, 'state as of 200');
        const { snapshot, problems } = await store.latestValid();
        assert.deepEqual(problems, []);
        assert.equal(snapshot?.seq, 200);
        assert.equal(snapshot?.ts, 2_000);
        assert.equal(snapshot?.file, written.file);
        assert.equal(Buffer.from(snapshot!.body).toString('utf8'), 'state as of 200');
      }));

    test('lists newest first, and loads each by the name list gives', () =>
      withStore(async (store) => {
        for (const seq of [5, 50, 20]) await store.write(seq, seq, `body ${seq}`);
        const entries = await store.list();
        assert.deepEqual(
          entries.map((e) => e.seq),
          [50, 20, 5],
        );
        for (const entry of entries) {
          const loaded = await store.load(entry.file);
          assert.ok(!('reason' in loaded), `load ${entry.file}`);
          assert.equal(Buffer.from(loaded.body).toString(), `body ${entry.seq}`);
        }
      }));

    test('a large binary body round-trips byte for byte, and a reopened store sees it', () =>
      withStore(async (store, reopen) => {
        const body = Uint8Array.from({ length: 3 * 1024 * 1024 + 17 }, (_, i) => (i * 13 + 5) & 0xff);
        await store.write(7, 70, body);
        const again = await reopen();
        const { snapshot } = await again.latestValid();
        assert.equal(snapshot?.seq, 7);
        assert.ok(Buffer.from(snapshot!.body).equals(Buffer.from(body)));
      }));

    test('prune deletes the snapshots older than the given seq and keeps the rest', () =>
      withStore(async (store, reopen) => {
        for (const seq of [10, 20, 30, 40]) await store.write(seq, seq, `body ${seq}`);
        const doomed = await store.prune(30);
        assert.deepEqual(
          doomed.map((e) => e.seq).sort((a, b) => a - b),
          [10, 20],
        );
        assert.deepEqual(
          (await store.list()).map((e) => e.seq),
          [40, 30],
        );
        assert.deepEqual(
          (await (await reopen()).list()).map((e) => e.seq),
          [40, 30],
        );
        assert.equal((await store.latestValid()).snapshot?.seq, 40);
      }));

    test('refuses a negative or fractional seq or ts', () =>
      withStore(async (store) => {
        await assert.rejects(store.write(-1, 0, 'x'), RangeError);
        await assert.rejects(store.write(1.5, 0, 'x'), RangeError);
        await assert.rejects(store.write(1, -1, 'x'), RangeError);
        assert.deepEqual(await store.list(), []);
      }));
  });
}
