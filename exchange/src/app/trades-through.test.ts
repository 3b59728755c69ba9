import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BTC_USDT, EventScript } from '../../test/support/event-script.ts';
import { SqliteReadModel } from '../storage/sqlite/sqlite-read-model.ts';
import { readModelTradesThrough } from './trades-through.ts';

describe('readModelTradesThrough', () => {
  it("gives every trade up to a seq, each market's in order, across pages", async () => {
    const script = new EventScript();
    script.addAsset('BTC', 8).addAsset('ETH', 8).addAsset('USDT', 6);
    script.listMarket(BTC_USDT).listMarket({ ...BTC_USDT, symbol: 'ETHUSDT', base: 'ETH' });
    for (const user of [1, 2]) {
      script
        .deposit(user, 'BTC', 10 ** 12)
        .deposit(user, 'ETH', 10 ** 12)
        .deposit(user, 'USDT', 10 ** 15);
    }
    for (let i = 0; i < 2_600; i++) {
      const symbol = i % 5 === 0 ? 'ETHUSDT' : 'BTCUSDT';
      const price = (3_000_000 + (i % 7)) * BTC_USDT.tickSize;
      const maker = script.limit(1, symbol, 'SELL', price, BTC_USDT.lotSize);
      script.limit(2, symbol, 'BUY', price, BTC_USDT.lotSize, { against: [maker] });
    }
    const model = SqliteReadModel.open({ path: ':memory:' });
    await model.apply(script.events);
    const trades = script.events.flatMap((e) => (e.type === 'Trade' ? [e] : []));
    const through = trades[1_900]!.seq;
    const got: { symbol: string; seq: number; price: number }[] = [];
    for await (const page of readModelTradesThrough(model, through)) {
      for (const t of page) got.push({ symbol: t.symbol, seq: t.seq, price: t.price });
    }
    const expected = trades.filter((t) => t.seq <= through);
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
      assert.deepEqual(
        got.filter((t) => t.symbol === symbol),
        expected.filter((t) => t.symbol === symbol).map((t) => ({ symbol, seq: t.seq, price: t.price })),
      );
    }
    assert.ok(got.filter((t) => t.symbol === 'BTCUSDT').length > 1_000, 'more than one page');
    await model.close();
  });
});
