import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dropDatabase, scratchDatabaseName, TEST_MARIADB } from '../support/mariadb.ts';
import { ApiHarness, type ApiKey } from './support/api-harness.ts';

interface OrderJson {
  orderId: number;
  status: string;
}

/**
 * The server with storage "mariadb": the read model in a trading database and the accounts in a
 * back-office database on the machine's MariaDB, spoken to through the public API only.
 */
describe('the server on MariaDB (trading and back-office databases)', () => {
  const trading = scratchDatabaseName('api_trading');
  const backOffice = scratchDatabaseName('api_backoffice');
  let api: ApiHarness;
  let alice: ApiKey;
  let bob: ApiKey;

  before(async () => {
    api = await ApiHarness.start({
      storage: 'mariadb',
      mariadbHost: TEST_MARIADB.host,
      mariadbPort: TEST_MARIADB.port,
      mariadbUser: TEST_MARIADB.user,
      mariadbTradingDatabase: trading,
      mariadbBackOfficeDatabase: backOffice,
    });
    alice = api.trader('alice');
    bob = api.trader('bob');
  });
  after(async () => {
    await api.close();
    await dropDatabase({ ...TEST_MARIADB, database: trading });
    await dropDatabase({ ...TEST_MARIADB, database: backOffice });
  });

  it('answers orders, trades and balances from MariaDB, and keeps users and keys across a restart', async () => {
    const ask = await api.signed<OrderJson>('POST', '/api/v3/order', bob, {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: '50000',
      quantity: '0.5',
    });
    assert.equal(ask.status, 200);
    const bid = await api.signed<OrderJson>('POST', '/api/v3/order', alice, {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: '50000',
      quantity: '0.2',
    });
    assert.equal(bid.body.status, 'FILLED');
    const open = await api.signed<OrderJson[]>('GET', '/api/v3/openOrders', bob, { symbol: 'BTCUSDT' });
    assert.deepEqual(
      open.body.map((o) => [o.orderId, o.status]),
      [[ask.body.orderId, 'PARTIALLY_FILLED']],
    );
    const mine = await api.signed<{ qty: string; isBuyer: boolean }[]>('GET', '/api/v3/myTrades', alice, {
      symbol: 'BTCUSDT',
    });
    assert.deepEqual(
      mine.body.map((t) => [t.qty, t.isBuyer]),
      [['0.20000000', true]],
    );
    const carol = await api.user('carol', ['READ'], { USDT: '12.5' });

    api = await api.restart();
    const account = await api.signed<{ balances: { asset: string; free: string }[] }>(
      'GET',
      '/api/v3/account',
      carol,
    );
    assert.equal(account.status, 200, 'the back-office database kept carol and her key');
    assert.equal(account.body.balances.find((b) => b.asset === 'USDT')?.free, '12.500000');
    const users = await api.admin<{ name: string }[]>('GET', '/admin/users');
    assert.ok(users.body.some((u) => u.name === 'carol'));
    const all = await api.signed<OrderJson[]>('GET', '/api/v3/allOrders', alice, { symbol: 'BTCUSDT' });
    assert.deepEqual(
      all.body.map((o) => [o.orderId, o.status]),
      [[bid.body.orderId, 'FILLED']],
    );
  });
});
