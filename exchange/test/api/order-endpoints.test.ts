import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiHarness, type ApiKey, type ErrorBody, encode, sign } from './support/api-harness.ts';

interface OrderJson {
  symbol: string;
  orderId: number;
  clientOrderId: string;
  price: string;
  origQty: string;
  executedQty: string;
  cummulativeQuoteQty: string;
  status: string;
  timeInForce: string;
  type: string;
  side: string;
  fills?: { price: string; qty: string; commission: string; commissionAsset: string; tradeId: number }[];
}

interface Account {
  balances: { asset: string; free: string; locked: string }[];
}

describe('trading and account endpoints', () => {
  let api: ApiHarness;
  let alice: ApiKey;
  let bob: ApiKey;
  let carol: ApiKey;

  before(async () => {
    api = await ApiHarness.start();
    alice = api.trader('alice');
    bob = api.trader('bob');
    carol = await api.user('carol', ['READ', 'TRADE'], { USDT: '100', BTC: '0.01' });
  });
  after(() => api.close());

  const limit = (
    side: 'BUY' | 'SELL',
    price: string,
    quantity: string,
    extra: Record<string, string> = {},
  ) => ({
    symbol: 'BTCUSDT',
    side,
    type: 'LIMIT',
    timeInForce: 'GTC',
    price,
    quantity,
    ...extra,
  });
  const place = (key: ApiKey, params: Record<string, string>) =>
    api.signed<OrderJson>('POST', '/api/v3/order', key, params);
  const code = async (key: ApiKey, params: Record<string, string>) =>
    (await api.signed<ErrorBody>('POST', '/api/v3/order', key, params)).body.code;
  const balance = async (key: ApiKey, asset: string) => {
    const r = await api.signed<Account>('GET', '/api/v3/account', key);
    return r.body.balances.find((b) => b.asset === asset)!;
  };

  it('places a resting LIMIT order (FULL by default) and reports it in GET order, openOrders and allOrders', async () => {
    const r = await place(alice, limit('BUY', '50000', '0.1', { newClientOrderId: 'a-1' }));
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-mbx-order-count-10s'), '1');
    assert.equal(r.headers.get('x-mbx-order-count-1d'), '1');
    assert.equal(r.body.status, 'NEW');
    assert.equal(r.body.clientOrderId, 'a-1');
    assert.equal(r.body.price, '50000.000000');
    assert.equal(r.body.origQty, '0.10000000');
    assert.deepEqual(r.body.fills, []);
    const byId = await api.signed<OrderJson>('GET', '/api/v3/order', alice, {
      symbol: 'BTCUSDT',
      orderId: r.body.orderId,
    });
    assert.equal(byId.body.status, 'NEW');
    const byClient = await api.signed<OrderJson>('GET', '/api/v3/order', alice, {
      symbol: 'BTCUSDT',
      origClientOrderId: 'a-1',
    });
    assert.equal(byClient.body.orderId, r.body.orderId);
    const open = await api.signed<OrderJson[]>('GET', '/api/v3/openOrders', alice, { symbol: 'BTCUSDT' });
    assert.deepEqual(
      open.body.map((o) => o.orderId),
      [r.body.orderId],
    );
    assert.equal((await api.signed<OrderJson[]>('GET', '/api/v3/openOrders', alice)).body.length, 1);
    const all = await api.signed<OrderJson[]>('GET', '/api/v3/allOrders', alice, { symbol: 'BTCUSDT' });
    assert.deepEqual(
      all.body.map((o) => o.orderId),
      [r.body.orderId],
    );
    assert.deepEqual(await balance(alice, 'USDT'), {
      asset: 'USDT',
      free: '995000.000000',
      locked: '5000.000000',
    });
  });

  it("reports the account's commission rates and how much of its order limits it has used", async () => {
    const commission = await api.signed<Record<string, unknown>>('GET', '/api/v3/account/commission', carol, {
      symbol: 'BTCUSDT',
    });
    assert.deepEqual(commission.body.standardCommission, {
      maker: '0.00100000',
      taker: '0.00100000',
      buyer: '0.00000000',
      seller: '0.00000000',
    });
    const placed = await place(carol, limit('BUY', '1000', '0.001'));
    const usage = await api.signed<{ interval: string; limit: number; count: number }[]>(
      'GET',
      '/api/v3/rateLimit/order',
      carol,
    );
    // The 10-second window may turn between the two requests; the day's count cannot (on this clock).
    assert.deepEqual(
      usage.body.map((u) => u.interval),
      ['SECOND', 'DAY'],
    );
    assert.equal(usage.body[1]!.count, Number(placed.headers.get('x-mbx-order-count-1d')));
    assert.ok(usage.body[1]!.count >= 1);
  });

  it('answers ACK and RESULT shapes when asked', async () => {
    const ack = await place(alice, limit('BUY', '40000', '0.01', { newOrderRespType: 'ACK' }));
    assert.deepEqual(Object.keys(ack.body).sort(), [
      'clientOrderId',
      'orderId',
      'orderListId',
      'symbol',
      'transactTime',
    ]);
    const result = await place(alice, limit('BUY', '40000', '0.01', { newOrderRespType: 'RESULT' }));
    assert.equal(result.body.status, 'NEW');
    assert.equal(result.body.fills, undefined);
    const lm = await place(alice, {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT_MAKER',
      price: '40000',
      quantity: '0.01',
    });
    assert.equal(lm.body.status, undefined, 'LIMIT_MAKER defaults to ACK');
  });

  it('fills a crossing order with fills and fees, and myTrades shows both sides', async () => {
    const r = await place(bob, limit('SELL', '49000', '0.04'));
    assert.equal(r.body.status, 'FILLED');
    assert.equal(r.body.executedQty, '0.04000000');
    assert.equal(r.body.cummulativeQuoteQty, '2000.000000');
    assert.deepEqual(r.body.fills, [
      {
        price: '50000.000000',
        qty: '0.04000000',
        commission: '2.000000',
        commissionAsset: 'USDT',
        tradeId: r.body.fills![0]!.tradeId,
      },
    ]);
    const mine = await api.signed<
      { id: number; isBuyer: boolean; isMaker: boolean; commission: string; orderId: number }[]
    >('GET', '/api/v3/myTrades', alice, { symbol: 'BTCUSDT' });
    assert.equal(mine.body.length, 1);
    assert.equal(mine.body[0]!.isBuyer, true);
    assert.equal(mine.body[0]!.isMaker, true);
    assert.equal(mine.body[0]!.commission, '0.00004000');
    const byOrder = await api.signed<unknown[]>('GET', '/api/v3/myTrades', bob, {
      symbol: 'BTCUSDT',
      orderId: r.body.orderId,
    });
    assert.equal(byOrder.body.length, 1);
    const partial = await api.signed<OrderJson>('GET', '/api/v3/order', alice, {
      symbol: 'BTCUSDT',
      origClientOrderId: 'a-1',
    });
    assert.equal(partial.body.status, 'PARTIALLY_FILLED');
    assert.equal(partial.body.executedQty, '0.04000000');
  });

  it('places MARKET orders by quantity and by quoteOrderQty', async () => {
    await place(bob, limit('SELL', '51000', '1'));
    const byQty = await place(alice, { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.02' });
    assert.equal(byQty.body.status, 'FILLED');
    assert.equal(byQty.body.cummulativeQuoteQty, '1020.000000');
    // Binance shows a MARKET order's time in force as GTC, in answers and in queries alike.
    assert.equal(byQty.body.timeInForce, 'GTC');
    const queried = await api.signed<{ timeInForce: string }>('GET', '/api/v3/order', alice, {
      symbol: 'BTCUSDT',
      orderId: byQty.body.orderId,
    });
    assert.equal(queried.body.timeInForce, 'GTC');
    const byQuote = await place(alice, {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quoteOrderQty: '510',
    });
    assert.equal(byQuote.body.executedQty, '0.01000000');
    assert.equal(byQuote.body.cummulativeQuoteQty, '510.000000');
  });

  it('rejects new orders with Binance codes, changing nothing', async () => {
    const before = await api.signed<Account>('GET', '/api/v3/account', carol);
    const seq = api.server.exchange.engine.lastSeq;
    // Refused at the edge: nothing reaches the sequencer.
    assert.equal(await code(carol, limit('BUY', '50000.0000001', '0.001')), -1111);
    assert.equal(await code(carol, limit('BUY', '50000', '0.000000001')), -1111);
    assert.equal(
      await code(carol, {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.001',
      }),
      -1102,
    );
    assert.equal(
      await code(carol, { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001', price: '1' }),
      -1106,
    );
    assert.equal(
      await code(carol, {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        quantity: '0.001',
        quoteOrderQty: '1',
      }),
      -1128,
    );
    assert.equal(await code(carol, limit('HOLD' as 'BUY', '1', '1')), -1117);
    assert.equal(await code(carol, { ...limit('BUY', '1', '1'), type: 'TRAILING_STOP_MARKET' }), -1116);
    // STOP_LOSS is an order type now, and takes no price.
    assert.equal(await code(carol, { ...limit('BUY', '1', '1'), type: 'STOP_LOSS' }), -1106);
    assert.equal(await code(carol, { ...limit('BUY', '1', '1'), timeInForce: 'GTX' }), -1115);
    assert.equal(await code(carol, { ...limit('BUY', '1', '1'), icebergQty: '1' }), -1103);
    assert.equal(await code(carol, { ...limit('BUY', '1', '1'), price: '1e3' }), -1100);
    assert.equal(await code(carol, { ...limit('BUY', '1', '1'), symbol: 'XRPUSDT' }), -1121);
    assert.equal(api.server.exchange.engine.lastSeq, seq);
    // Refused by the engine: -1013 for filters, -2010 for the rest.
    const filter = async (params: Record<string, string>) =>
      (await api.signed<ErrorBody>('POST', '/api/v3/order', carol, params)).body;
    assert.deepEqual(await filter(limit('BUY', '0.000001', '0.001')), {
      code: -1013,
      msg: 'Filter failure: PRICE_FILTER',
    });
    assert.deepEqual(await filter(limit('BUY', '50000.005', '0.001')), {
      code: -1013,
      msg: 'Filter failure: PRICE_FILTER',
    });
    assert.deepEqual(await filter(limit('BUY', '50000', '0.00015')), {
      code: -1013,
      msg: 'Filter failure: LOT_SIZE',
    });
    assert.deepEqual(await filter(limit('BUY', '10', '0.1')), {
      code: -1013,
      msg: 'Filter failure: NOTIONAL',
    });
    assert.deepEqual(await filter(limit('BUY', '50000', '0.01')), {
      code: -2010,
      msg: 'Account has insufficient balance for requested action.',
    });
    assert.equal(
      await code(alice, {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT_MAKER',
        price: '60000',
        quantity: '0.001',
      }),
      -2010,
    );
    assert.equal(await code(alice, limit('BUY', '40000', '0.01', { newClientOrderId: 'a-1' })), -2010);
    assert.deepEqual(
      (await api.signed<Account>('GET', '/api/v3/account', carol)).body.balances,
      before.body.balances,
    );
    assert.equal(
      (await api.signed<OrderJson[]>('GET', '/api/v3/allOrders', carol, { symbol: 'BTCUSDT' })).body.length,
      0,
    );
  });

  it('fails with -1104 when a parameter is sent in both the query string and the body', async () => {
    const query = encode({ symbol: 'BTCUSDT' });
    const body = encode({ ...limit('BUY', '40000', '0.01'), timestamp: Date.now() });
    const signature = sign(query + body, alice.secretKey);
    const r = await api.raw<ErrorBody>('POST', '/api/v3/order', query, {
      apiKey: alice.apiKey,
      body: `${body}&signature=${signature}`,
    });
    assert.equal(r.body.code, -1104);
  });

  it('order/test checks everything but places nothing', async () => {
    const seq = api.server.exchange.engine.lastSeq;
    assert.deepEqual(
      (await api.signed('POST', '/api/v3/order/test', carol, limit('BUY', '50000', '0.01'))).body,
      {},
    );
    const rates = await api.signed<{ standardCommissionForOrder: { maker: string } }>(
      'POST',
      '/api/v3/order/test',
      carol,
      { ...limit('BUY', '50000', '0.01'), computeCommissionRates: 'true' },
    );
    assert.equal(rates.body.standardCommissionForOrder.maker, '0.00100000');
    const bad = await api.signed<ErrorBody>(
      'POST',
      '/api/v3/order/test',
      carol,
      limit('BUY', '50000', '0.00015'),
    );
    assert.equal(bad.body.code, -1013);
    assert.equal(api.server.exchange.engine.lastSeq, seq);
  });

  it('cancels by id and by client id; -2011 for an unknown order; -2013 to query one', async () => {
    const r = await place(alice, limit('BUY', '30000', '0.01', { newClientOrderId: 'to-cancel' }));
    const canceled = await api.signed<OrderJson & { origClientOrderId: string }>(
      'DELETE',
      '/api/v3/order',
      alice,
      {
        symbol: 'BTCUSDT',
        origClientOrderId: 'to-cancel',
      },
    );
    assert.equal(canceled.status, 200);
    assert.equal(canceled.body.status, 'CANCELED');
    assert.equal(canceled.body.origClientOrderId, 'to-cancel');
    assert.equal(canceled.body.orderId, r.body.orderId);
    const again = await api.signed<ErrorBody>('DELETE', '/api/v3/order', alice, {
      symbol: 'BTCUSDT',
      orderId: r.body.orderId,
    });
    assert.deepEqual(again.body, { code: -2011, msg: 'Unknown order sent.' });
    assert.equal(
      (await api.signed<ErrorBody>('DELETE', '/api/v3/order', alice, { symbol: 'BTCUSDT' })).body.code,
      -1102,
    );
    const missing = await api.signed<ErrorBody>('GET', '/api/v3/order', alice, {
      symbol: 'BTCUSDT',
      orderId: 999_999,
    });
    assert.deepEqual(missing.body, { code: -2013, msg: 'Order does not exist.' });
    const notBobs = await api.signed<ErrorBody>('GET', '/api/v3/order', bob, {
      symbol: 'BTCUSDT',
      orderId: r.body.orderId,
    });
    assert.equal(notBobs.body.code, -2013);
    const byId = await api.signed<OrderJson>('GET', '/api/v3/order', alice, {
      symbol: 'BTCUSDT',
      orderId: r.body.orderId,
    });
    assert.equal(byId.body.status, 'CANCELED');
  });

  it('cancelReplace: success, partial failure (-2021) and failure (-2022)', async () => {
    const r = await place(alice, limit('BUY', '30000', '0.01', { newClientOrderId: 'cr-1' }));
    const ok = await api.signed<{
      cancelResult: string;
      newOrderResult: string;
      cancelResponse: OrderJson;
      newOrderResponse: OrderJson;
    }>('POST', '/api/v3/order/cancelReplace', alice, {
      ...limit('BUY', '31000', '0.01', { newClientOrderId: 'cr-2' }),
      cancelReplaceMode: 'STOP_ON_FAILURE',
      cancelOrderId: String(r.body.orderId),
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.cancelResult, 'SUCCESS');
    assert.equal(ok.body.cancelResponse.status, 'CANCELED');
    assert.equal(ok.body.newOrderResponse.price, '31000.000000');
    const stop = await api.signed<
      ErrorBody & { data: { cancelResult: string; newOrderResult: string; newOrderResponse: null } }
    >('POST', '/api/v3/order/cancelReplace', alice, {
      ...limit('BUY', '31000', '0.01'),
      cancelReplaceMode: 'STOP_ON_FAILURE',
      cancelOrigClientOrderId: 'nope',
    });
    assert.equal(stop.status, 400);
    assert.equal(stop.body.code, -2022);
    assert.deepEqual(
      [stop.body.data.cancelResult, stop.body.data.newOrderResult, stop.body.data.newOrderResponse],
      ['FAILURE', 'NOT_ATTEMPTED', null],
    );
    const allow = await api.signed<ErrorBody & { data: { cancelResult: string; newOrderResult: string } }>(
      'POST',
      '/api/v3/order/cancelReplace',
      alice,
      {
        ...limit('BUY', '31000', '0.01'),
        cancelReplaceMode: 'ALLOW_FAILURE',
        cancelOrigClientOrderId: 'nope',
      },
    );
    assert.equal(allow.status, 409);
    assert.equal(allow.body.code, -2021);
    assert.deepEqual([allow.body.data.cancelResult, allow.body.data.newOrderResult], ['FAILURE', 'SUCCESS']);
    const newFails = await api.signed<
      ErrorBody & { data: { cancelResult: string; newOrderResult: string; newOrderResponse: ErrorBody } }
    >('POST', '/api/v3/order/cancelReplace', alice, {
      ...limit('BUY', '31000', '0.00015'),
      cancelReplaceMode: 'STOP_ON_FAILURE',
      cancelOrigClientOrderId: 'cr-2',
    });
    assert.equal(newFails.body.code, -2021);
    assert.deepEqual(
      [newFails.body.data.cancelResult, newFails.body.data.newOrderResult],
      ['SUCCESS', 'FAILURE'],
    );
    assert.equal(newFails.body.data.newOrderResponse.code, -1013);
  });

  it('DELETE openOrders cancels every open order of a symbol; -2011 when there is none', async () => {
    const open = await api.signed<OrderJson[]>('GET', '/api/v3/openOrders', alice, { symbol: 'BTCUSDT' });
    assert.ok(open.body.length > 0);
    const r = await api.signed<OrderJson[]>('DELETE', '/api/v3/openOrders', alice, { symbol: 'BTCUSDT' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.map((o) => o.orderId).sort(), open.body.map((o) => o.orderId).sort());
    assert.ok(r.body.every((o) => o.status === 'CANCELED'));
    assert.equal(
      (await api.signed<OrderJson[]>('GET', '/api/v3/openOrders', alice, { symbol: 'BTCUSDT' })).body.length,
      0,
    );
    assert.equal(
      (await api.signed<ErrorBody>('DELETE', '/api/v3/openOrders', alice, { symbol: 'BTCUSDT' })).body.code,
      -2011,
    );
  });

  it('account balances equal the ledger (the read model postings)', async () => {
    const account = await api.signed<Account>('GET', '/api/v3/account', alice);
    for (const asset of ['BTC', 'USDT', 'ETH']) {
      const ledger = await api.server.exchange.readModel.balanceFromPostings(alice.userId, asset);
      const decimals = asset === 'USDT' ? 6 : 8;
      const row = account.body.balances.find((b) => b.asset === asset)!;
      assert.equal(row.free, (ledger.available / 10 ** decimals).toFixed(decimals), asset);
      assert.equal(row.locked, (ledger.locked / 10 ** decimals).toFixed(decimals), asset);
    }
    const omit = await api.signed<Account>('GET', '/api/v3/account', carol, { omitZeroBalances: 'true' });
    assert.deepEqual(omit.body.balances.map((b) => b.asset).sort(), ['BTC', 'USDT']);
  });

  it('a halted market refuses orders with -2010 "Market is closed."', async () => {
    assert.equal((await api.admin('POST', '/admin/markets/ETHUSDT/halt')).status, 200);
    const r = await api.signed<ErrorBody>('POST', '/api/v3/order', alice, {
      ...limit('BUY', '1000', '0.01'),
      symbol: 'ETHUSDT',
    });
    assert.deepEqual(r.body, { code: -2010, msg: 'Market is closed.' });
    const info = await api.get<{ symbols: { status: string }[] }>('/api/v3/exchangeInfo', {
      symbol: 'ETHUSDT',
    });
    assert.equal(info.body.symbols[0]!.status, 'HALT');
    assert.equal((await api.admin('POST', '/admin/markets/ETHUSDT/resume')).status, 200);
    const ok = await api.signed('POST', '/api/v3/order', alice, {
      ...limit('BUY', '1000', '0.01'),
      symbol: 'ETHUSDT',
    });
    assert.equal(ok.status, 200);
  });
});
