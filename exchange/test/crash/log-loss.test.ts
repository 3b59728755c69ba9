/**
 * The edges of accepting a loss of the log's tail (app/log-loss.ts), on the embedded exchange
 * itself: a snapshot alone ahead of the log, an acceptance that crashed after its decision was
 * written, and a journal too pruned to rebuild the read model from.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EmbeddedExchange, READ_MODEL_FILE } from '../../src/app/embedded-exchange.ts';
import { lossFolder, StoreAheadOfLogError, writeLossRecord } from '../../src/app/log-loss.ts';
import type { UnstampedCommand } from '../../src/domain/commands.ts';
import { BTCUSDT, btc, limit, usdt } from '../support/engine-driver.ts';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const SETUP: UnstampedCommand[] = [
  { type: 'AddAsset', asset: 'BTC', decimals: 8 },
  { type: 'AddAsset', asset: 'USDT', decimals: 6 },
  { type: 'ListMarket', ...BTCUSDT, makerFeePpm: 0, takerFeePpm: 0 },
  { type: 'Deposit', userId: 1, asset: 'USDT', amount: usdt(1_000_000) },
  { type: 'Deposit', userId: 2, asset: 'BTC', amount: btc(100) },
];

/** An exchange that ran `orders` crossing pairs, stopped cleanly (final snapshot), then lost its last record. */
async function damagedDataDir(options: { orders: number; segmentBytes?: number; prune?: boolean }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bourse-log-loss-'));
  dirs.push(dataDir);
  const exchange = await EmbeddedExchange.open({
    dataDir,
    snapshotsOffThread: false,
    pruneJournal: options.prune ?? false,
    ...(options.segmentBytes !== undefined && { segmentBytes: options.segmentBytes }),
    snapshots: { everyCommands: 20 },
  });
  for (const command of SETUP) await exchange.submit(command);
  for (let i = 0; i < options.orders; i++) {
    await exchange.submit(limit(1, 'BUY', usdt(30_000 + i), btc(0.01)));
    await exchange.submit(limit(2, 'SELL', usdt(30_000 + i), btc(0.01)));
  }
  const issued = { nextOrderId: exchange.engine.nextOrderId, nextTradeId: nextTradeIdOf(exchange.engine) };
  const lastSeq = exchange.engine.lastSeq;
  await exchange.close();
  const journalDir = join(dataDir, 'journal');
  const newest = join(
    journalDir,
    readdirSync(journalDir)
      .filter((n) => n.endsWith('.seg'))
      .sort()
      .at(-1)!,
  );
  const bytes = readFileSync(newest);
  bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff;
  writeFileSync(newest, bytes);
  return { dataDir, issued, lastSeq };
}

test('a snapshot alone ahead of the log stops the start; accepting it moves it aside and keeps its ids', async () => {
  const { dataDir, issued, lastSeq } = await damagedDataDir({ orders: 30 });
  // A read model lost with the disk: only the final snapshot is ahead now.
  for (const suffix of ['', '-wal', '-shm'])
    rmSync(join(dataDir, `${READ_MODEL_FILE}${suffix}`), { force: true });
  await assert.rejects(
    EmbeddedExchange.open({ dataDir, snapshotsOffThread: false }),
    (error: unknown) =>
      error instanceof StoreAheadOfLogError &&
      error.logEndSeq === lastSeq - 1 &&
      error.aheadThroughSeq === lastSeq &&
      /the snapshot .*snapshot-0+\d+\.snap is at seq/.test(error.message),
  );
  const steps: string[] = [];
  const exchange = await EmbeddedExchange.open({
    dataDir,
    snapshotsOffThread: false,
    acceptLogLossAfterSeq: lastSeq - 1,
    onRecoveryStep: (step) => steps.push(step.step),
  });
  try {
    assert.ok(steps.includes('log loss accepted') && steps.includes('resumed after the accepted loss'));
    assert.equal(exchange.engine.lastSeq, lastSeq + 1, 'the loss command is stamped past the lost seq');
    assert.ok(exchange.engine.nextOrderId >= issued.nextOrderId);
    assert.ok(nextTradeIdOf(exchange.engine) >= issued.nextTradeId);
    const moved = readdirSync(join(lossFolder(dataDir, lastSeq - 1), 'snapshots'));
    assert.deepEqual(moved, [`snapshot-${String(lastSeq).padStart(20, '0')}.snap`]);
    assert.deepEqual(exchange.engine.checkInvariants(), []);
    assert.deepEqual(await exchange.readModel.checkInvariants(), []);
  } finally {
    await exchange.close();
  }
  // Done: the next start needs no flag and finds nothing ahead.
  const again = await EmbeddedExchange.open({ dataDir, snapshotsOffThread: false });
  assert.equal(again.engine.lastSeq, lastSeq + 1);
  await again.close();
});

test('an acceptance that stopped after writing its decision is finished by the next start, without the flag', async () => {
  const { dataDir, issued, lastSeq } = await damagedDataDir({ orders: 10 });
  // As if the accepting start died right after loss.json was made durable.
  writeLossRecord(dataDir, {
    lostAfterSeq: lastSeq - 1,
    lostThroughSeq: lastSeq,
    nextOrderId: issued.nextOrderId,
    nextTradeIds: { BTCUSDT: issued.nextTradeId },
    acceptedAt: new Date(0).toISOString(),
    stores: [],
  });
  const exchange = await EmbeddedExchange.open({ dataDir, snapshotsOffThread: false });
  try {
    assert.equal(exchange.engine.lastSeq, lastSeq + 1);
    assert.equal(exchange.engine.nextOrderId, issued.nextOrderId);
    assert.ok(
      existsSync(join(lossFolder(dataDir, lastSeq - 1), READ_MODEL_FILE)),
      'the read model was moved aside',
    );
    await exchange.projector.flush();
    assert.equal(exchange.projector.appliedSeq, lastSeq + 1, 'and rebuilt from the journal');
    assert.deepEqual(await exchange.readModel.checkInvariants(), []);
  } finally {
    await exchange.close();
  }
});

test('accepting a loss is refused when the journal no longer reaches back to rebuild the read model', async () => {
  const { dataDir, lastSeq } = await damagedDataDir({ orders: 60, segmentBytes: 2048, prune: true });
  await assert.rejects(
    EmbeddedExchange.open({ dataDir, snapshotsOffThread: false, acceptLogLossAfterSeq: lastSeq - 1 }),
    (error: unknown) =>
      error instanceof StoreAheadOfLogError && /older segments were pruned/.test(error.message),
  );
  assert.equal(existsSync(lossFolder(dataDir, lastSeq - 1)), false, 'nothing was moved');
  assert.ok(existsSync(join(dataDir, READ_MODEL_FILE)));
});

/** The test's orders trade on BTCUSDT alone, whose trade ids run on their own. */
function nextTradeIdOf(engine: {
  readonly markets: ReadonlyMap<string, { readonly nextTradeId: number }>;
}): number {
  return engine.markets.get('BTCUSDT')!.nextTradeId;
}
