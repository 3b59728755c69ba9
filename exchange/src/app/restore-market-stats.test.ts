import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { btc, EngineDriver, limit, usdt } from '../../test/support/engine-driver.ts';
import type { EngineEvent } from '../domain/events.ts';
import { MarketData } from '../marketdata/market-data.ts';
import { SqliteReadModel } from '../storage/sqlite/sqlite-read-model.ts';
import { restoreMarketStats } from './restore-market-stats.ts';

const HOUR = 3_600_000;

describe('restoreMarketStats', () => {
  it('counts each trade once when the read model is ahead of market data, across pages', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'bourse-restore-'));
    const readModel = await SqliteReadModel.open({ path: join(dir, 'read-model.sqlite') });
    t.after(async () => {
      await readModel.close();
      await rm(dir, { recursive: true, force: true });
    });
    const driver = EngineDriver.withMarket();
    // Market data that saw every command from the first: what the restored one must match.
    const reference = new MarketData();
    const commands: { events: EngineEvent[]; seq: number }[] = [];
    const send = (command: Parameters<EngineDriver['send']>[0]) => {
      const events = driver.send(command);
      commands.push({ events, seq: driver.seq });
      reference.apply(events, driver.seq);
    };
    for (const { seq } of driver.log) {
      const events = driver.events.filter((e) => e.seq === seq);
      commands.push({ events, seq });
      reference.apply(events, seq);
    }
    send({ type: 'Deposit', userId: 1, asset: 'USDT', amount: usdt(100_000_000) });
    send({ type: 'Deposit', userId: 2, asset: 'BTC', amount: btc(10_000) });
    const start = Date.UTC(2026, 2, 1);
    const trade = (at: number, price: number) => {
      driver.ts = at - 1;
      send(limit(2, 'SELL', usdt(price), btc(0.01)));
      send(limit(1, 'BUY', usdt(price), btc(0.01)));
    };
    // Before the window: only its price counts (the previous close).
    trade(start, 50_000);
    // In the window's first minute (the window starts on the minute, half an hour after the start).
    trade(start + 30 * 60_000 + 10_000, 55_000);
    // 1,500 trades in the window, more than a page of the read model.
    for (let i = 0; i < 1_500; i++) trade(start + 8 * HOUR + i * 30_000, 60_000 + (i % 97) * 10);
    const snapshot = driver.engine.snapshot();
    // Trades the read model has already projected when market data starts: the live feed brings them.
    for (let i = 0; i < 5; i++) trade(start + 21 * HOUR + i * 1_000, 61_000 + i);
    const now = start + 24 * HOUR + 30 * 60_000;
    await readModel.apply(commands.flatMap((c) => c.events));

    const restarted = MarketData.fromSnapshot(snapshot);
    const restored = await restoreMarketStats(restarted, readModel, now);
    assert.equal(restored, 1 + 1 + 1_500);
    for (const { events, seq } of commands) if (seq > snapshot.lastSeq) restarted.apply(events, seq);

    const expected = reference.ticker24h('BTCUSDT', now)!;
    assert.equal(expected.count, 1_506);
    assert.equal(expected.prevClosePrice, usdt(50_000));
    assert.deepEqual(restarted.ticker24h('BTCUSDT', now), expected);
    assert.deepEqual(restarted.averagePrice('BTCUSDT', now, 5), reference.averagePrice('BTCUSDT', now, 5));
    const later = now + 3 * HOUR;
    assert.deepEqual(restarted.ticker24h('BTCUSDT', later), reference.ticker24h('BTCUSDT', later));
  });

  it('fails if trades come out of time order or after live ones', () => {
    const driver = EngineDriver.withMarket();
    const data = MarketData.fromSnapshot(driver.engine.snapshot());
    const row = { tradeId: 1, price: usdt(1), quantity: btc(1), quoteQuantity: usdt(1), ts: 2_000 };
    data.restoreStats('BTCUSDT', [row]);
    assert.throws(
      () => data.restoreStats('BTCUSDT', [{ ...row, tradeId: 2, ts: 1_000 }]),
      /trade 2 of BTCUSDT at 1000 is older than the last one at 2000/,
    );
    assert.throws(() => data.restoreStats('NOPE', []), /no symbol NOPE/);
  });
});
