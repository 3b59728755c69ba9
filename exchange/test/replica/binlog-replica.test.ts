import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BinlogPair } from '../../src/app/mariadb-pair/binlog-pair.ts';
import { MariaDbReadModel } from '../../src/storage/mariadb/mariadb-read-model.ts';
import { SqliteReadModel } from '../../src/storage/sqlite/sqlite-read-model.ts';
import { ApiHarness, type ApiKey } from '../api/support/api-harness.ts';
import { freePort } from '../support/free-port.ts';
import { scratchDatabaseName } from '../support/mariadb.ts';
import { randomFlow } from '../support/random-flow.ts';

interface Report<Row> {
  report: string;
  lag: {
    replicating: boolean;
    replicaSeq: number;
    primarySeq: number;
    seqBehind: number;
    secondsBehindPrimary: number | null;
  };
  rows: Row[];
}
interface MarketDay {
  symbol: string;
  tradeCount: number;
  volume: string;
  quoteVolume: string;
  fees: { asset: string; amount: string }[];
  activeTraders: number;
  ordersPlaced: number;
  orderToTradeRatio: number | null;
}

/**
 * The analytics replica, for real: the project's own primary and its binlog replica (two mariadbd
 * started here, as `npm run mariadb-replica` starts them), the server writing the primary, reports
 * read from the replica.
 */
describe('binlog replica and analytics', () => {
  let dir: string;
  let pair: BinlogPair;
  let api: ApiHarness;
  let alice: ApiKey;
  let bob: ApiKey;
  const trading = scratchDatabaseName('repl_trading');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bourse-replica-'));
    pair = new BinlogPair({ dir, primaryPort: await freePort(), replicaPort: await freePort() });
    await pair.start();
    api = await ApiHarness.start({
      storage: 'mariadb',
      mariadbPort: pair.primary.options.port,
      mariadbTradingDatabase: trading,
      mariadbBackOfficeDatabase: scratchDatabaseName('repl_backoffice'),
      mariadbReplicaPort: pair.replica.options.port,
    });
    alice = api.trader('alice');
    bob = api.trader('bob');
  });
  after(async () => {
    await api?.close();
    await pair?.replica.kill();
    await pair?.primary.kill();
    await rm(dir, { recursive: true, force: true });
  });

  const order = (key: ApiKey, side: 'BUY' | 'SELL', price: string, quantity: string) =>
    api.signed('POST', '/api/v3/order', key, {
      symbol: 'BTCUSDT',
      side,
      type: 'LIMIT',
      timeInForce: 'GTC',
      price,
      quantity,
    });
  /** Two orders, one trade of `quantity` at 50,000 between bob (maker) and alice (taker). */
  const trade = async (quantity: string) => {
    assert.equal((await order(bob, 'SELL', '50000', quantity)).status, 200);
    assert.equal((await order(alice, 'BUY', '50000', quantity)).status, 200);
  };
  /** The market-days report once the replica holds every command the primary's projection applied. */
  const caughtUp = async (): Promise<Report<MarketDay>> => {
    for (;;) {
      const r = await api.admin<Report<MarketDay>>('GET', '/admin/reports/market-days?symbol=BTCUSDT');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      if (r.body.lag.seqBehind === 0 && r.body.lag.replicating) return r.body;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('shows the trades made through the exchange in the reports, with the lag beside them', async () => {
    await trade('0.1');
    await trade('0.3');
    const report = await caughtUp();
    assert.equal(report.report, 'market-days');
    assert.ok(report.lag.replicaSeq > 0 && report.lag.replicaSeq === report.lag.primarySeq);
    const [today, ...rest] = report.rows;
    assert.deepEqual(rest, []);
    assert.equal(today?.tradeCount, 2);
    assert.equal(today?.volume, '0.40000000');
    assert.equal(today?.quoteVolume, '20000.000000');
    assert.equal(today?.activeTraders, 2);
    assert.equal(today?.ordersPlaced, 4);
    assert.equal(today?.orderToTradeRatio, 2);
    // The demo market's fees (0.1%): alice bought 0.4 BTC as taker, bob sold as maker for 20,000 USDT.
    assert.deepEqual(today?.fees, [
      { asset: 'BTC', amount: '0.00040000' },
      { asset: 'USDT', amount: '20.000000' },
    ]);
    const mine = await api.admin<
      Report<{ symbol: string; trades: number; volume: string; feesPaid: unknown }>
    >('GET', `/admin/reports/user-volume?userId=${alice.userId}`);
    assert.deepEqual(
      mine.body.rows.map((r) => [r.symbol, r.trades, r.volume, r.feesPaid]),
      [
        [
          'BTCUSDT',
          2,
          '0.40000000',
          [
            { asset: 'BTC', amount: '0.00040000' },
            { asset: 'USDT', amount: '0.000000' },
          ],
        ],
      ],
    );
    assert.ok('seqBehind' in mine.body.lag);
  });

  it('catches up with nothing lost after the replica is stopped and started again', async () => {
    await pair.replica.stop();
    await trade('0.2');
    await trade('0.05');
    const stopped = await api.admin('GET', '/admin/reports/market-days');
    assert.notEqual(stopped.status, 200, 'a stopped replica answers no report');
    await pair.replica.start();
    const report = await caughtUp();
    assert.equal(report.rows[0]?.tradeCount, 4);
    assert.equal(report.rows[0]?.volume, '0.65000000');
  });

  it('loses no row and duplicates none when the primary is killed in the middle of a batch', async () => {
    const options = {
      host: '127.0.0.1',
      port: pair.primary.options.port,
      user: 'root',
      database: scratchDatabaseName('repl_kill'),
    };
    let retries = 0;
    const writer = await MariaDbReadModel.open({ ...options, onRetry: () => retries++ });
    const script = randomFlow({ commands: 6_000, seed: 17 });
    const batches = [];
    for (let i = 0; i < script.commands.length; i += 1_000)
      batches.push(script.commands.slice(i, i + 1_000).flat());
    let killed = false;
    try {
      for (const [index, batch] of batches.entries()) {
        const applying = writer.apply(
          batch,
          script.commands[Math.min((index + 1) * 1_000, script.commands.length) - 1]![0]?.seq,
        );
        if (index === 3) {
          // Mid-batch: the transaction is open on the primary when it dies.
          let settled = false;
          applying.finally(() => {
            settled = true;
          });
          await new Promise((resolve) => setTimeout(resolve, 5));
          await pair.primary.kill();
          killed = !settled;
          await pair.primary.start();
        }
        await applying;
      }
      await writer.apply([], script.lastSeq);
    } finally {
      await writer.close();
    }
    assert.ok(killed, 'the primary died while the batch was being written');
    assert.ok(retries > 0, 'the batch was retried on a new connection');
    const reference = SqliteReadModel.open({ path: ':memory:' });
    await reference.apply(script.events, script.lastSeq);
    const expected = await reference.dumpRows();
    await reference.close();
    // On the primary, and once replicated, on the replica: exactly the rows of one clean pass.
    const primary = MariaDbReadModel.attach(options);
    assert.deepEqual(await primary.dumpRows(), expected);
    await primary.close();
    const replica = MariaDbReadModel.attach({ ...options, port: pair.replica.options.port });
    try {
      for (;;) {
        const seq = await replica.lastAppliedSeq().catch(() => 0);
        if (seq === script.lastSeq) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.deepEqual(await replica.dumpRows(), expected);
    } finally {
      await replica.close();
    }
  });
});
