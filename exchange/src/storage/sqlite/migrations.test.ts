import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { randomFlow } from '../../../test/support/random-flow.ts';
import { SCHEMA_VERSION } from './schema.ts';
import { SqliteReadModel } from './sqlite-read-model.ts';

describe('read model migrations', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bourse-migrations-'));
    path = join(dir, 'read-model.db');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const version = () => {
    const db = new DatabaseSync(path);
    try {
      return db.prepare('SELECT schema_version AS v FROM projection_state').get()?.v;
    } finally {
      db.close();
    }
  };

  /**
   * Turns the database at `path` back into what version 1 wrote: candles without taker-buy volumes,
   * and trades with a time index.
   */
  const downgradeToVersion1 = () => {
    const db = new DatabaseSync(path);
    db.exec(`ALTER TABLE candles DROP COLUMN taker_buy_quote_volume;
      ALTER TABLE candles DROP COLUMN taker_buy_volume;
      CREATE INDEX trades_by_symbol_ts ON trades (symbol, ts);
      UPDATE projection_state SET schema_version = 1;`);
    db.close();
  };

  const indexes = () => {
    const db = new DatabaseSync(path);
    try {
      return db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'trades' ORDER BY name")
        .all()
        .map((row) => row.name);
    } finally {
      db.close();
    }
  };

  it('creates a new database at the current version', async () => {
    const model = SqliteReadModel.open({ path });
    await model.close();
    assert.equal(version(), SCHEMA_VERSION);
  });

  it('opens a version 1 database, backfills the taker-buy volumes, drops the trade time index, and projects on', async () => {
    const script = randomFlow({ commands: 1_500, seed: 21, meanGapMs: 20_000 });
    const cut = script.events.findIndex((e, i) => i >= 2_000 && e.seq !== script.events[i - 1]!.seq);
    const model = SqliteReadModel.open({ path });
    await model.apply(script.events.slice(0, cut));
    const before = await model.dumpRows();
    await model.close();
    assert.ok(before.candles.some((c) => c.takerBuyVolume > 0 && c.takerBuyVolume < c.volume));
    downgradeToVersion1();

    assert.ok(indexes().includes('trades_by_symbol_ts'));
    const migrated = SqliteReadModel.open({ path });
    try {
      assert.equal(version(), SCHEMA_VERSION);
      assert.ok(!indexes().includes('trades_by_symbol_ts'), 'no trade insert pays for a time index');
      assert.deepEqual(await migrated.dumpRows(), before);
      await migrated.apply(script.events.slice(cut));
      const reference = SqliteReadModel.open({ path: ':memory:' });
      await reference.apply(script.events);
      assert.deepEqual(await migrated.dumpRows(), await reference.dumpRows());
      await reference.close();
    } finally {
      await migrated.close();
    }
  });

  it('fails if the database was written by a newer version, quoting both versions', async () => {
    await SqliteReadModel.open({ path }).close();
    const db = new DatabaseSync(path);
    db.exec(`UPDATE projection_state SET schema_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(
      () => SqliteReadModel.open({ path }),
      new RegExp(`version ${SCHEMA_VERSION + 1} is newer than this build's ${SCHEMA_VERSION}`),
    );
  });
});
