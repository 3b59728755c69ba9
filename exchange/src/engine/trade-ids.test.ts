import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BTCUSDT, btc, EngineDriver, eventsOfType, limit, usdt } from '../../test/support/engine-driver.ts';
import { MatchingEngine } from './engine.ts';
import { SnapshotFormatError } from './snapshot.ts';

/** BTCUSDT and ETHUSDT, two funded users. */
function twoMarkets(): EngineDriver {
  const d = EngineDriver.withMarket();
  d.send({ type: 'AddAsset', asset: 'ETH', decimals: 8 });
  d.send({ type: 'ListMarket', ...BTCUSDT, symbol: 'ETHUSDT', base: 'ETH' });
  for (const user of [1, 2]) {
    d.deposit(user, 'USDT', usdt(10_000_000));
    d.deposit(user, 'BTC', btc(100));
    d.deposit(user, 'ETH', btc(1_000));
  }
  return d;
}

/** User 1 rests two asks at two prices; user 2 takes all of them in one order. */
function sweep(d: EngineDriver, symbol: string): void {
  d.send({ ...limit(1, 'SELL', usdt(100), btc(1)), symbol });
  d.send({ ...limit(1, 'SELL', usdt(100), btc(1)), symbol });
  d.send({ ...limit(1, 'SELL', usdt(101), btc(1)), symbol });
  d.send({ ...limit(2, 'BUY', usdt(101), btc(3)), symbol });
}

const ids = (d: EngineDriver, symbol: string) =>
  eventsOfType(d.events, 'Trade')
    .filter((t) => t.symbol === symbol)
    .map((t) => [t.tradeId, t.aggTradeId]);

describe('trade ids (issue 12, item 11)', () => {
  it('run 1, 2, 3... per market, and aggregate ids likewise, however the markets interleave', () => {
    const d = twoMarkets();
    sweep(d, 'BTCUSDT');
    sweep(d, 'ETHUSDT');
    sweep(d, 'BTCUSDT');
    // Each sweep: two fills at 100 (one aggregate), one at 101 (the next).
    assert.deepEqual(ids(d, 'BTCUSDT'), [
      [1, 1],
      [2, 1],
      [3, 2],
      [4, 3],
      [5, 3],
      [6, 4],
    ]);
    assert.deepEqual(ids(d, 'ETHUSDT'), [
      [1, 1],
      [2, 1],
      [3, 2],
    ]);
  });

  it('carry on from a snapshot where they left off, and a replay gives the same ids', () => {
    const d = twoMarkets();
    sweep(d, 'BTCUSDT');
    sweep(d, 'ETHUSDT');
    const restored = MatchingEngine.restore(JSON.parse(JSON.stringify(d.engine.snapshot())));
    const replayed = new MatchingEngine();
    for (const command of d.log) replayed.replay(command);
    assert.equal(restored.stateHash(), d.engine.stateHash());
    assert.equal(replayed.stateHash(), d.engine.stateHash());
    let trades: unknown[] = [];
    for (const command of [
      { ...limit(1, 'BUY', usdt(90), btc(1)), symbol: 'ETHUSDT' },
      { ...limit(2, 'SELL', usdt(90), btc(1)), symbol: 'ETHUSDT' },
    ]) {
      const events = d.send(command);
      assert.deepEqual(restored.apply(d.log.at(-1)!), events);
      trades = eventsOfType(events, 'Trade').map((t) => [t.tradeId, t.aggTradeId]);
    }
    assert.deepEqual(trades, [[4, 3]]);
  });

  it('refuses a format 1 snapshot (ids counted across markets) and says why', () => {
    const d = twoMarkets();
    sweep(d, 'BTCUSDT');
    const { markets, ...rest } = d.engine.snapshot();
    const v1 = {
      ...rest,
      version: 1,
      nextTradeId: 4,
      markets: markets.map(({ nextTradeId: _t, nextAggTradeId: _a, averagePrice: _p, ...m }) => m),
    };
    assert.throws(
      () => MatchingEngine.restore(v1 as never),
      (error: unknown) =>
        error instanceof SnapshotFormatError &&
        /version 1 is not supported \(expected 3\): it counts trade ids across all markets/.test(
          error.message,
        ),
    );
  });
});
