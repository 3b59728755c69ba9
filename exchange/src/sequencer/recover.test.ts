import assert from 'node:assert/strict';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { EngineDriver } from '../../test/support/engine-driver.ts';
import { FileJournal } from '../journal/file/file-journal.ts';
import { FileSnapshotStore } from '../journal/snapshots/file/file-snapshot-store.ts';
import { encodeCommand } from './command-codec.ts';
import { RecoveryError, recoverEngine } from './recover.ts';
import { inThreadSnapshots } from './snapshot-source.ts';
import { Snapshotter } from './snapshotter.ts';

let dir = '';
afterEach(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

/** A journal of 60 commands with snapshots after commands 20 and 40; returns the final state hash. */
async function history(): Promise<{
  journal: FileJournal;
  store: FileSnapshotStore;
  hash: string;
  driver: EngineDriver;
}> {
  dir = await mkdtemp(join(tmpdir(), 'bourse-recover-'));
  const journal = await FileJournal.open({ dir: join(dir, 'journal'), segmentBytes: 4096 });
  const store = await FileSnapshotStore.open(join(dir, 'snapshots'));
  const driver = EngineDriver.withMarket();
  const snapshotter = new Snapshotter(store, journal, {
    source: inThreadSnapshots(driver.engine, store),
    everyCommands: 1e9,
    consumedSeq: () => driver.engine.lastSeq,
    clock: () => 0,
    prune: false,
  });
  for (let i = 0; driver.seq < 60; i++) {
    if (driver.seq === 20 || driver.seq === 40) await snapshotter.take();
    driver.deposit(1 + (i % 5), i % 2 === 0 ? 'BTC' : 'USDT', 1_000 + i);
  }
  for (const command of driver.log) {
    const { seq, ts, ...body } = command;
    await journal.appendOne({ seq, ts, payload: encodeCommand(body) });
  }
  return { journal, store, hash: driver.engine.stateHash(), driver };
}

async function flipByte(file: string, offsetFromEnd: number): Promise<void> {
  const handle = await open(file, 'r+');
  const { size } = await handle.stat();
  const buffer = Buffer.alloc(1);
  await handle.read(buffer, 0, 1, size - offsetFromEnd);
  buffer[0] = buffer[0]! ^ 0xff;
  await handle.write(buffer, 0, 1, size - offsetFromEnd);
  await handle.close();
}

describe('recoverEngine', () => {
  it('starts from the newest snapshot and replays the rest to the same state', async () => {
    const { journal, store, hash } = await history();
    const recovery = await recoverEngine(journal, store);
    assert.equal(recovery.snapshotSeq, 40);
    assert.equal(recovery.replayedCommands, 20);
    assert.equal(recovery.engine.stateHash(), hash);
    await journal.close();
  });

  it('falls back to an older snapshot when the newest is damaged, and says which file and where', async () => {
    const { journal, store, hash } = await history();
    const [newest] = await store.list();
    await flipByte(newest!.file, 10);
    const recovery = await recoverEngine(journal, store);
    assert.equal(recovery.snapshotSeq, 20);
    assert.equal(recovery.problems.length, 1);
    assert.equal(recovery.problems[0]?.file, newest!.file);
    assert.ok(recovery.problems[0]!.offset > 0);
    assert.equal(recovery.engine.stateHash(), hash);
    await journal.close();
  });

  it('replays the whole log when no snapshot is usable', async () => {
    const { journal, store, hash } = await history();
    for (const entry of await store.list()) await flipByte(entry.file, 3);
    const recovery = await recoverEngine(journal, store);
    assert.equal(recovery.snapshotSeq, 0);
    assert.equal(recovery.problems.length, 2);
    assert.equal(recovery.engine.stateHash(), hash);
    await journal.close();
  });

  it('uses no snapshot newer than a projection has consumed', async () => {
    const { journal, store, hash } = await history();
    const events: number[] = [];
    const recovery = await recoverEngine(journal, store, {
      notAfterSeq: 30,
      onReplayed: (_e, c) => events.push(c.seq),
    });
    assert.equal(recovery.snapshotSeq, 20);
    assert.equal(events[0], 21);
    assert.equal(recovery.engine.stateHash(), hash);
    await journal.close();
  });

  it('hands over events only after the position its subscribers hold, and the state is the same', async () => {
    const { journal, store, hash, driver } = await history();
    const handed: number[] = [];
    const recovery = await recoverEngine(journal, store, {
      notAfterSeq: 30,
      eventsAfterSeq: 30,
      onReplayed: (events, command) => {
        handed.push(command.seq);
        assert.deepEqual(
          events,
          driver.events.filter((e) => e.seq === command.seq),
        );
      },
    });
    assert.equal(recovery.snapshotSeq, 20);
    assert.deepEqual(
      handed,
      Array.from({ length: 30 }, (_, i) => 31 + i),
    );
    assert.equal(recovery.engine.stateHash(), hash);
    await journal.close();
  });

  it('refuses to start when the log was pruned past every usable snapshot', async () => {
    const { journal, store } = await history();
    await journal.prune(59);
    for (const entry of await store.list()) await flipByte(entry.file, 3);
    if (journal.firstSeq() > 1) await assert.rejects(recoverEngine(journal, store), RecoveryError);
    else assert.fail('the 4 KiB segments should have let the journal prune');
    await journal.close();
  });
});

describe('Snapshotter pruning', () => {
  it('keeps the two newest snapshots the projections have passed, and the log after the older one', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bourse-prune-'));
    const journal = await FileJournal.open({ dir: join(dir, 'journal'), segmentBytes: 4096 });
    const store = await FileSnapshotStore.open(join(dir, 'snapshots'));
    const driver = EngineDriver.withMarket();
    let consumed = 0;
    const snapshotter = new Snapshotter(store, journal, {
      source: inThreadSnapshots(driver.engine, store),
      everyCommands: 50,
      consumedSeq: () => consumed,
      clock: () => 0,
    });
    for (let i = 0; driver.seq < 400; i++) {
      const before = driver.seq;
      driver.deposit(1 + (i % 7), 'BTC', 10_000 + i);
      for (const command of driver.log.slice(before)) {
        const { seq, ts, ...body } = command;
        await journal.appendOne({ seq, ts, payload: encodeCommand(body) });
      }
      consumed = driver.seq - 120;
      snapshotter.afterCommand();
      await snapshotter.flush();
    }
    driver.deposit(1, 'BTC', 1);
    const { seq, ts, ...body } = driver.log.at(-1)!;
    await journal.appendOne({ seq, ts, payload: encodeCommand(body) });
    await snapshotter.take();
    const kept = (await store.list()).map((e) => e.seq);
    assert.ok(kept.length >= 2, `kept ${kept.join(',')}`);
    const eligible = kept.filter((seq) => seq <= consumed);
    assert.equal(
      eligible.length,
      2,
      `two snapshots at or below the projection (${consumed}): ${kept.join(',')}`,
    );
    assert.ok(journal.firstSeq() <= eligible[1]! + 1, 'the log still covers the older kept snapshot');
    assert.ok(journal.firstSeq() > 1, 'something was pruned');
    const recovery = await recoverEngine(journal, store, { notAfterSeq: consumed });
    assert.equal(recovery.engine.stateHash(), driver.engine.stateHash());
    await journal.close();
  });
});

describe('recoverEngine throughSeq', () => {
  it('stops at the given seq, from the newest snapshot not past it', async () => {
    const { journal, store } = await history();
    const at50 = await recoverEngine(journal, store, { throughSeq: 50 });
    assert.equal(at50.snapshotSeq, 40);
    assert.equal(at50.engine.lastSeq, 50);
    const at30 = await recoverEngine(journal, store, { throughSeq: 30 });
    assert.equal(at30.snapshotSeq, 20);
    assert.equal(at30.engine.lastSeq, 30);
    await journal.close();
  });

  it('fails when the log ends before the given seq', async () => {
    const { journal, store } = await history();
    await assert.rejects(recoverEngine(journal, store, { throughSeq: 61 }), RecoveryError);
    await journal.close();
  });
});
