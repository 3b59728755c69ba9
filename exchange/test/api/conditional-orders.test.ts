import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestClient } from '../support/ws-client.ts';
import { ApiHarness, type ApiKey, type ErrorBody } from './support/api-harness.ts';
import { binanceAt, offHost } from './support/ccxt-client.ts';

interface OrderJson {
  orderId: number;
  clientOrderId: string;
  status: string;
  type: string;
  stopPrice?: string;
  trailingDelta?: number;
  isWorking?: boolean;
  workingTime?: number;
  executedQty: string;
}
interface AccountJson {
  balances: { asset: string; free: string; locked: string }[];
}
interface DepthJson {
  bids: [string, string][];
  asks: [string, string][];
}

const units = (minor: number, decimals: number) => minor / 10 ** decimals;

/**
 * Issue 18's conditional orders through a real server: STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT and
 * TAKE_PROFIT_LIMIT (fixed and trailing) placed over REST, refused as Binance refuses them, locked
 * while waiting and off the book, reported in the user data stream when placed and when triggered,
 * queried, kept across a restart, and driven by ccxt's own methods.
 */
describe('conditional orders through the API', () => {
  let api: ApiHarness;
  let alice: ApiKey;
  let bob: ApiKey;
  let carol: ApiKey;

  before(async () => {
    api = await ApiHarness.start();
    alice = api.trader('alice');
    bob = api.trader('bob');
    carol = await api.user('carol', ['READ', 'TRADE'], { USDT: '100000', BTC: '2' });
  });
  after(async () => {
    await api.close();
    assert.deepEqual(offHost, []);
  });

  const place = (key: ApiKey, params: Record<string, string>) =>
    api.signed<OrderJson & ErrorBody>('POST', '/api/v3/order', key, params);
  /** A trade of 0.01 BTC at `price` between alice (maker) and bob: the last price becomes `price`. */
  const tradeAt = async (price: string) => {
    await place(alice, {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price,
      quantity: '0.01',
    });
    const taken = await place(bob, {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'IOC',
      price,
      quantity: '0.01',
    });
    assert.equal(taken.body.status, 'FILLED', `a trade at ${price}`);
  };
  const btcOf = async (key: ApiKey) =>
    (await api.signed<AccountJson>('GET', '/api/v3/account', key)).body.balances.find(
      (b) => b.asset === 'BTC',
    );
  const depth = async () => (await api.get<DepthJson>('/api/v3/depth', { symbol: 'BTCUSDT' })).body;

  it('exchangeInfo lists the conditional types, allows trailing stops and publishes TRAILING_DELTA', async () => {
    const info = await api.get<{
      symbols: { orderTypes: string[]; allowTrailingStop: boolean; filters: Record<string, unknown>[] }[];
    }>('/api/v3/exchangeInfo', { symbol: 'BTCUSDT' });
    const symbol = info.body.symbols[0]!;
    for (const type of ['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']) {
      assert.ok(symbol.orderTypes.includes(type), type);
    }
    assert.equal(symbol.allowTrailingStop, true);
    assert.deepEqual(
      symbol.filters.find((f) => f.filterType === 'TRAILING_DELTA'),
      {
        filterType: 'TRAILING_DELTA',
        minTrailingAboveDelta: 10,
        maxTrailingAboveDelta: 2000,
        minTrailingBelowDelta: 10,
        maxTrailingBelowDelta: 2000,
      },
    );
  });

  it("refuses what Binance refuses, with Binance's codes, and changes nothing", async () => {
    await tradeAt('60000');
    const before = await btcOf(carol);
    const stopLoss = { symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_LOSS', quantity: '0.1' };
    const cases: [Record<string, string>, number, string][] = [
      [stopLoss, -1102, "Param 'stopPrice' or 'trailingDelta' must be sent, but both were empty/null!"],
      [{ ...stopLoss, stopPrice: '60001' }, -2010, 'Order would trigger immediately.'],
      [{ ...stopLoss, trailingDelta: '5' }, -1013, 'Filter failure: TRAILING_DELTA'],
      [{ ...stopLoss, stopPrice: '59000.001' }, -1013, 'Filter failure: PRICE_FILTER'],
      [{ ...stopLoss, stopPrice: '59000.0000001' }, -1111, ''],
      [
        { ...stopLoss, stopPrice: '59000', price: '58000' },
        -1106,
        "Parameter 'price' sent when not required.",
      ],
      [
        {
          symbol: 'BTCUSDT',
          side: 'SELL',
          type: 'LIMIT',
          timeInForce: 'GTC',
          price: '70000',
          quantity: '0.1',
          stopPrice: '1',
        },
        -1106,
        "Parameter 'stopPrice' sent when not required.",
      ],
    ];
    for (const [params, code, msg] of cases) {
      const r = await place(carol, params);
      assert.equal(r.status, 400, JSON.stringify(params));
      assert.equal(r.body.code, code, JSON.stringify(r.body));
      if (msg !== '') assert.equal(r.body.msg, msg);
    }
    assert.deepEqual(await btcOf(carol), before);
  });

  it('a STOP_LOSS_LIMIT waits locked and off the book, reported NEW and not working; a trade at its stop triggers it onto the book', async () => {
    const created = await api.raw<{ listenKey: string }>('POST', '/api/v3/userDataStream', '', {
      apiKey: carol.apiKey,
    });
    const stream = await TestClient.open(
      `${api.server.baseUrl.replace(/^http/, 'ws')}/ws/${created.body.listenKey}`,
    );
    try {
      const r = await place(carol, {
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'STOP_LOSS_LIMIT',
        timeInForce: 'GTC',
        quantity: '0.5',
        price: '58500',
        stopPrice: '59000',
        newClientOrderId: 'carol-stop',
        newOrderRespType: 'RESULT',
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.status, 'NEW');
      assert.equal(r.body.stopPrice, '59000.000000');
      assert.equal(r.body.workingTime, -1);
      const placed = await stream.next((m) => m.e === 'executionReport' && m.i === r.body.orderId);
      assert.deepEqual(
        [placed.x, placed.X, placed.o, placed.P, placed.w],
        ['NEW', 'NEW', 'STOP_LOSS_LIMIT', '59000.000000', false],
      );
      assert.deepEqual(await btcOf(carol), { asset: 'BTC', free: '1.50000000', locked: '0.50000000' });
      assert.ok(!(await depth()).asks.some(([price]) => price === '58500.000000'), 'not on the book');
      const open = await api.signed<OrderJson[]>('GET', '/api/v3/openOrders', carol, { symbol: 'BTCUSDT' });
      assert.deepEqual(
        open.body.map((o) => [o.orderId, o.type, o.stopPrice, o.isWorking, o.workingTime]),
        [[r.body.orderId, 'STOP_LOSS_LIMIT', '59000.000000', false, -1]],
      );

      await tradeAt('59500');
      assert.deepEqual((await btcOf(carol))?.locked, '0.50000000', 'above the stop: still waiting');
      await tradeAt('59000');
      const triggered = await stream.next((m) => m.e === 'executionReport' && m.i === r.body.orderId);
      assert.deepEqual([triggered.x, triggered.X, triggered.w], ['NEW', 'NEW', true]);
      assert.equal(typeof triggered.W, 'number');
      const ask = (await depth()).asks.find(([price]) => price === '58500.000000');
      assert.deepEqual(ask, ['58500.000000', '0.50000000'], 'triggered, it rests at its limit price');
      const queried = await api.signed<OrderJson>('GET', '/api/v3/order', carol, {
        symbol: 'BTCUSDT',
        origClientOrderId: 'carol-stop',
      });
      assert.equal(queried.body.status, 'NEW');
      assert.equal(queried.body.isWorking, true);
      assert.ok((queried.body.workingTime ?? -1) > 0);
      const canceled = await api.signed<OrderJson>('DELETE', '/api/v3/order', carol, {
        symbol: 'BTCUSDT',
        orderId: String(r.body.orderId),
      });
      assert.equal(canceled.body.status, 'CANCELED');
    } finally {
      stream.close();
    }
  });

  it('a trailing stop waiting across a restart keeps its tracking and triggers after it', async () => {
    await tradeAt('60000');
    const r = await place(carol, {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'STOP_LOSS',
      quantity: '0.1',
      trailingDelta: '100',
      newOrderRespType: 'RESULT',
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.trailingDelta, 100);
    await tradeAt('61000');
    api = await api.restart();
    // 1% below the highest price since placement (61,000) is 60,390: 60,400 does not trigger it.
    await place(bob, {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: '50000',
      quantity: '0.1',
    });
    await tradeAt('60400');
    let order = await api.signed<OrderJson>('GET', '/api/v3/order', carol, {
      symbol: 'BTCUSDT',
      orderId: String(r.body.orderId),
    });
    assert.equal(order.body.isWorking, false);
    await tradeAt('60390');
    order = await api.signed<OrderJson>('GET', '/api/v3/order', carol, {
      symbol: 'BTCUSDT',
      orderId: String(r.body.orderId),
    });
    assert.equal(order.body.status, 'FILLED');
    assert.equal(order.body.executedQty, '0.10000000');
    assert.deepEqual(api.server.exchange.engine.checkInvariants(), []);
  });

  it('ccxt: createStopLossOrder, createTakeProfitOrder, createStopLimitOrder, createTriggerOrder, createTrailingPercentOrder, fetchOpenOrders, editOrder, against the ledger', async () => {
    const dave = await api.user('ccxt-dave', ['READ', 'TRADE'], { USDT: '100000', BTC: '2' });
    const client = binanceAt(api.server.baseUrl, dave);
    await client.loadMarkets();
    await tradeAt('60000');
    const stopLoss = await client.createStopLossOrder('BTC/USDT', 'market', 'sell', 0.1, undefined, 55_000);
    const takeProfit = await client.createTakeProfitOrder('BTC/USDT', 'limit', 'sell', 0.1, 66_000, 65_000);
    const stopLimit = await client.createStopLimitOrder('BTC/USDT', 'buy', 0.1, 62_500, 62_000);
    const trigger = await client.createTriggerOrder('BTC/USDT', 'market', 'buy', 0.1, undefined, 63_000);
    const trailing = await client.createTrailingPercentOrder(
      'BTC/USDT',
      'market',
      'sell',
      0.1,
      undefined,
      2,
      undefined,
      {
        stopLossOrTakeProfit: 'stopLoss',
      },
    );
    const open = await client.fetchOpenOrders('BTC/USDT');
    const byId = new Map(open.map((o) => [o.id, o]));
    assert.deepEqual(
      [stopLoss, takeProfit, stopLimit, trigger, trailing].map((o) => [
        byId.get(o.id)?.info.type,
        byId.get(o.id)?.triggerPrice,
      ]),
      [
        ['STOP_LOSS', 55_000],
        ['TAKE_PROFIT_LIMIT', 65_000],
        ['STOP_LOSS_LIMIT', 62_000],
        ['STOP_LOSS', 63_000],
        // A trailing stop without a stop price: Binance's "0" stop price, which ccxt reads as none.
        ['STOP_LOSS', undefined],
      ],
    );
    assert.equal(byId.get(trailing.id)?.info.trailingDelta, 200);
    // editOrder (Binance's cancelReplace): the stop limit buy moves its stop and price. ccxt's spot
    // edit takes the stop as `stopPrice` (a `triggerPrice` it would pass on unread, as to Binance).
    const edited = await client.editOrder(stopLimit.id!, 'BTC/USDT', 'STOP_LOSS_LIMIT', 'buy', 0.1, 62_600, {
      stopPrice: 62_100,
    });
    const afterEdit = await client.fetchOpenOrders('BTC/USDT');
    assert.ok(!afterEdit.some((o) => o.id === stopLimit.id), 'the old order is gone');
    assert.equal(afterEdit.find((o) => o.id === edited.id)?.triggerPrice, 62_100);
    // Locked: 0.1 + 0.1 + 0.1 BTC by the sells; 0.1 * 62,600 (limit) + 0.1 * 63,000 (at the stop) USDT by the buys.
    const balance = await client.fetchBalance();
    for (const [asset, decimals] of [
      ['BTC', 8],
      ['USDT', 6],
    ] as const) {
      const ledger = await api.server.exchange.readModel.balanceFromPostings(dave.userId, asset);
      assert.equal(balance[asset]?.free, units(ledger.available, decimals), asset);
      assert.equal(balance[asset]?.used, units(ledger.locked, decimals), asset);
    }
    assert.equal(balance.BTC?.used, 0.3);
    assert.equal(balance.USDT?.used, 6_260 + 6_300);
    // A rise to 62,200 triggers the edited stop limit buy (stop 62,100), which takes 0.1 at 62,500
    // under its limit; a rise to 63,000 then triggers the trigger buy, which takes 0.1 at market.
    await place(alice, {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: '62500',
      quantity: '0.1',
    });
    await tradeAt('62200');
    await place(alice, {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: '63500',
      quantity: '0.1',
    });
    await tradeAt('63000');
    const trades = await client.fetchMyTrades('BTC/USDT');
    assert.deepEqual(
      trades.map((t) => [t.order, t.price, t.amount]).sort(),
      [
        [edited.id, 62_500, 0.1],
        [trigger.id, 63_500, 0.1],
      ].sort(),
    );
    const ledgerTrades = await api.server.exchange.readModel.userTrades({
      userId: dave.userId,
      symbol: 'BTCUSDT',
      fromId: 1,
      limit: 100,
    });
    assert.deepEqual(
      ledgerTrades.map((t) => [String(t.orderId), units(t.price, 6), units(t.quantity, 8)]).sort(),
      trades.map((t) => [t.order, t.price, t.amount]).sort(),
    );
    const settled = await client.fetchBalance();
    for (const [asset, decimals] of [
      ['BTC', 8],
      ['USDT', 6],
    ] as const) {
      const ledger = await api.server.exchange.readModel.balanceFromPostings(dave.userId, asset);
      assert.equal(settled[asset]?.free, units(ledger.available, decimals), asset);
      assert.equal(settled[asset]?.used, units(ledger.locked, decimals), asset);
    }
    assert.deepEqual(api.server.exchange.engine.checkInvariants(), []);
  });
});
