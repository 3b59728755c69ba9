import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EngineEvent } from '../../src/domain/events.ts';
import { CANDLE_INTERVAL_MS, CANDLE_INTERVALS } from '../../src/storage/candle-intervals.ts';
import { Projector } from '../../src/storage/projector.ts';
import type { ReadModelPort } from '../../src/storage/read-model-port.ts';
import type { ReadModelDump } from '../../src/storage/read-model-rows.ts';
import { feed, rebuild } from '../../src/storage/rebuild.ts';
import { candlesFromTrades } from '../support/candle-oracle.ts';
import { eventsOfType } from '../support/engine-driver.ts';
import { BTC_USDT, EventScript } from '../support/event-script.ts';
import { mulberry32, randomFlow } from '../support/random-flow.ts';
import { basicScenario, btc, usdt } from '../support/scenarios.ts';
import { tradeBetween, waitingStops } from '../support/waiting-stops.ts';

/** One durable store: `open` may be called again after `close` and sees the same data. */
export interface ReadModelStore {
  open(): Promise<ReadModelPort>;
  destroy(): Promise<void>;
}

export interface ReadModelFactory {
  /** A new, empty store. */
  create(): Promise<ReadModelStore>;
}

const SYMBOL = BTC_USDT.symbol;

/**
 * The read-side port's contract. Every adapter (SQLite now, MariaDB later) runs it unchanged, so the
 * API can rely on identical rows and query results from either.
 */
export function readModelContract(name: string, factory: ReadModelFactory): void {
  /** Runs `body` on a fresh store's model, then closes and destroys it. */
  async function withModel(
    body: (model: ReadModelPort, store: ReadModelStore) => Promise<void>,
  ): Promise<void> {
    const store = await factory.create();
    const model = await store.open();
    try {
      await body(model, store);
    } finally {
      await model.close();
      await store.destroy();
    }
  }

  describe(`read model contract: ${name}`, () => {
    it('starts empty at position 0', () =>
      withModel(async (model) => {
        assert.equal(await model.lastAppliedSeq(), 0);
        assert.deepEqual(await model.dumpRows(), emptyDump());
      }));

    describe('orders', () => {
      it('records each status change: taker and maker filled in one command go NEW -> FILLED', () =>
        withModel(async (model) => {
          const { script, ask1, bid } = basicScenario();
          await model.apply(script.events);
          assert.deepEqual(statuses(await model.orderStatusHistory(bid)), ['NEW', 'FILLED']);
          assert.deepEqual(statuses(await model.orderStatusHistory(ask1)), ['NEW', 'FILLED']);
          const order = await model.order(1, SYMBOL, { orderId: bid });
          assert.equal(order?.status, 'FILLED');
          assert.equal(order?.executedQty, btc(1));
          assert.equal(order?.cumulativeQuoteQty, usdt(15_000) + usdt(15_005));
          assert.equal(order?.version, 2);
        }));

      it('goes NEW -> PARTIALLY_FILLED -> CANCELED with the executed amounts of each step', () =>
        withModel(async (model) => {
          const { script, ask2 } = basicScenario();
          await model.apply(script.events);
          const history = await model.orderStatusHistory(ask2);
          assert.deepEqual(
            history.map((h) => [h.version, h.status, h.executedQty, h.cumulativeQuoteQty, h.reason]),
            [
              [1, 'NEW', 0, 0, ''],
              [2, 'PARTIALLY_FILLED', btc(0.5), usdt(15_005), ''],
              [3, 'CANCELED', btc(0.5), usdt(15_005), 'USER'],
            ],
          );
          assert.ok(history[1]!.seq < history[2]!.seq, 'the cancel is a later command');
          const order = await model.order(3, SYMBOL, { orderId: ask2 });
          assert.equal(order?.statusReason, 'USER');
          assert.equal(order?.updatedTs, history[2]!.ts);
        }));

      it('maps expiries to EXPIRED and self-trade expiries to EXPIRED_IN_MATCH', () =>
        withModel(async (model) => {
          const { script, ioc, selfTraded } = basicScenario();
          await model.apply(script.events);
          assert.deepEqual(statuses(await model.orderStatusHistory(ioc)), ['NEW', 'EXPIRED']);
          assert.deepEqual(statuses(await model.orderStatusHistory(selfTraded)), ['NEW', 'EXPIRED_IN_MATCH']);
          assert.equal((await model.order(2, SYMBOL, { orderId: selfTraded }))?.statusReason, 'SELF_TRADE');
        }));

      it('stores no order for a rejected command', () =>
        withModel(async (model) => {
          const { script } = basicScenario();
          await model.apply(script.events);
          assert.equal(await model.order(1, SYMBOL, { clientOrderId: 'too-big' }), undefined);
          const ids = (await model.dumpRows()).orders.map((o) => o.orderId);
          assert.deepEqual(ids, [1, 2, 3, 4, 5, 6, 7]);
        }));

      it('finds an order by id or client order id, only for its own user and symbol', () =>
        withModel(async (model) => {
          const { script, ask1, bid } = basicScenario();
          await model.apply(script.events);
          assert.equal((await model.order(2, SYMBOL, { clientOrderId: 'ask-1' }))?.orderId, ask1);
          assert.equal((await model.order(1, SYMBOL, { clientOrderId: 'bid-1' }))?.orderId, bid);
          assert.equal(await model.order(1, SYMBOL, { orderId: ask1 }), undefined);
          assert.equal(await model.order(2, 'ETHUSDT', { orderId: ask1 }), undefined);
          const row = await model.order(2, SYMBOL, { orderId: ask1 });
          assert.ok(row);
          assert.deepEqual(row, {
            orderId: ask1,
            symbol: SYMBOL,
            userId: 2,
            clientOrderId: 'ask-1',
            side: 'SELL',
            orderType: 'LIMIT',
            timeInForce: 'GTC',
            price: usdt(30_000),
            origQty: btc(0.5),
            origQuoteOrderQty: 0,
            executedQty: btc(0.5),
            cumulativeQuoteQty: usdt(15_000),
            status: 'FILLED',
            statusReason: '',
            stpMode: 'EXPIRE_MAKER',
            createdSeq: row.createdSeq,
            createdTs: row.createdTs,
            updatedSeq: row.createdSeq + 2,
            updatedTs: row.createdTs + 2_000,
            version: 2,
            stopPrice: 0,
            trailingDelta: 0,
            workingTs: row.createdTs,
          });
        }));

      it('stores a stop waiting (workingTs -1), then triggered in a later batch: still NEW, working', () =>
        withModel(async (model) => {
          const { driver: d, placed, trailing } = waitingStops();
          await model.apply(d.events);
          const waiting = await model.order(1, SYMBOL, { orderId: placed.orderId });
          assert.ok(waiting);
          assert.deepEqual(
            [waiting.orderType, waiting.status, waiting.version, waiting.stopPrice, waiting.price],
            ['STOP_LOSS_LIMIT', 'NEW', 1, usdt(39_000), usdt(39_500)],
          );
          assert.equal(waiting.workingTs, -1);
          const trailingRow = await model.order(1, SYMBOL, { orderId: trailing.orderId });
          assert.deepEqual(
            [trailingRow?.trailingDelta, trailingRow?.stopPrice, trailingRow?.workingTs],
            [100, 0, -1],
          );
          const limitRow = (await model.dumpRows()).orders.find((o) => o.orderType === 'LIMIT');
          assert.equal(limitRow?.workingTs, limitRow?.createdTs, 'a LIMIT order works from its placement');

          // The trigger comes in a batch of its own, so the adapter reads the stored row back.
          const before = d.events.length;
          const events = tradeBetween(d, 39_000);
          const trigger = eventsOfType(events, 'OrderTriggered').find((e) => e.orderId === placed.orderId);
          assert.ok(trigger, 'a trade at the stop price triggers it');
          await model.apply(d.events.slice(before));
          const working = await model.order(1, SYMBOL, { orderId: placed.orderId });
          assert.deepEqual(working, {
            ...waiting,
            workingTs: trigger.ts,
            updatedSeq: trigger.seq,
            updatedTs: trigger.ts,
          });
          assert.deepEqual(statuses(await model.orderStatusHistory(placed.orderId)), ['NEW']);
          assert.deepEqual(await model.openOrders(1), [
            working,
            (await model.order(1, SYMBOL, { orderId: trailing.orderId }))!,
          ]);
        }));

      it('lists open orders (NEW and PARTIALLY_FILLED) and pages through all orders', () =>
        withModel(async (model) => {
          const { script, bid, restingBid, ioc } = basicScenario();
          const extra = script.limit(1, SYMBOL, 'BUY', usdt(20_000), btc(0.1));
          await model.apply(script.events);
          const open = await model.openOrders(1, SYMBOL);
          assert.deepEqual(
            open.map((o) => [o.orderId, o.status]),
            [
              [restingBid, 'PARTIALLY_FILLED'],
              [extra, 'NEW'],
            ],
          );
          assert.deepEqual(await model.openOrders(1), open);
          assert.deepEqual(await model.openOrders(3), []);
          const all = await model.orders({ userId: 1, symbol: SYMBOL });
          assert.deepEqual(
            all.map((o) => o.orderId),
            [bid, restingBid, ioc, extra],
          );
          const newest = await model.orders({ userId: 1, symbol: SYMBOL, limit: 2 });
          assert.deepEqual(
            newest.map((o) => o.orderId),
            [ioc, extra],
          );
          const from = await model.orders({ userId: 1, symbol: SYMBOL, fromOrderId: bid + 1, limit: 2 });
          assert.deepEqual(
            from.map((o) => o.orderId),
            [restingBid, ioc],
          );
        }));
    });

    it('reports the highest order and trade ids it holds, 0 when empty', () =>
      withModel(async (model) => {
        assert.deepEqual(await model.issuedIds(), { maxOrderId: 0, maxTradeIds: {} });
        const { script, selfTraded } = basicScenario();
        await model.apply(script.events);
        const trades = await model.trades({ symbol: SYMBOL, fromId: 1 });
        assert.deepEqual(await model.issuedIds(), {
          maxOrderId: Math.max(selfTraded, ...(await model.openOrders(1)).map((o) => o.orderId)),
          maxTradeIds: { [SYMBOL]: trades.at(-1)!.tradeId },
        });
      }));

    describe('trades', () => {
      it('pages trades by id, returns the newest oldest first, and shows each user their side', () =>
        withModel(async (model) => {
          const { script, bid, ask1 } = basicScenario();
          await model.apply(script.events);
          const trades = await model.trades({ symbol: SYMBOL, fromId: 1 });
          assert.deepEqual(
            trades.map((t) => [t.tradeId, t.price, t.quantity, t.quoteQuantity, t.takerSide]),
            [
              [1, usdt(30_000), btc(0.5), usdt(15_000), 'BUY'],
              [2, usdt(30_010), btc(0.5), usdt(15_005), 'BUY'],
              [3, usdt(29_990), btc(0.2), usdt(5_998), 'BUY'],
            ],
          );
          assert.deepEqual(
            (await model.recentTrades(SYMBOL, 2)).map((t) => t.tradeId),
            [2, 3],
          );
          assert.deepEqual(
            (await model.trades({ symbol: SYMBOL, fromId: 2, limit: 1 })).map((t) => t.tradeId),
            [2],
          );
          const buyer = await model.userTrades({ userId: 1, symbol: SYMBOL, orderId: bid });
          assert.deepEqual(
            buyer.map((t) => [t.tradeId, t.orderId, t.commission, t.commissionAsset, t.isBuyer, t.isMaker]),
            [
              [1, bid, btc(0.001), 'BTC', true, false],
              [2, bid, btc(0.001), 'BTC', true, false],
            ],
          );
          const seller = await model.userTrades({ userId: 2, symbol: SYMBOL });
          assert.deepEqual(
            seller.map((t) => [t.tradeId, t.orderId, t.commission, t.commissionAsset, t.isBuyer, t.isMaker]),
            [
              [1, ask1, usdt(15), 'USDT', false, true],
              [3, 4, 5_998_000, 'USDT', false, true],
            ],
          );
          assert.deepEqual(
            (await model.userTrades({ userId: 2, symbol: SYMBOL, fromId: 2 })).map((t) => t.tradeId),
            [3],
          );
        }));

      it('returns both sides of a self-trade to its user', () =>
        withModel(async (model) => {
          const script = new EventScript();
          script.addAsset('BTC', 8).addAsset('USDT', 6).listMarket(BTC_USDT);
          script.deposit(1, 'BTC', btc(1)).deposit(1, 'USDT', usdt(50_000));
          const ask = script.limit(1, SYMBOL, 'SELL', usdt(30_000), btc(0.1));
          const bid = script.limit(1, SYMBOL, 'BUY', usdt(30_000), btc(0.1), { against: [ask] });
          await model.apply(script.events);
          const mine = await model.userTrades({ userId: 1, symbol: SYMBOL });
          assert.deepEqual(
            mine.map((t) => [t.tradeId, t.orderId, t.isBuyer, t.isMaker]),
            [
              [1, bid, true, false],
              [1, ask, false, true],
            ],
          );
        }));
    });

    describe('ledger', () => {
      it('keeps every transaction (command, asset) summing to zero', () =>
        withModel(async (model) => {
          await model.apply(randomFlow({ commands: 2_000, seed: 11 }).events);
          const sums = new Map<string, number>();
          for (const p of (await model.dumpRows()).postings) {
            const key = `${p.seq}/${p.asset}`;
            sums.set(key, (sums.get(key) ?? 0) + p.amount);
          }
          assert.ok(sums.size > 1_000);
          for (const [key, sum] of sums) assert.equal(sum, 0, `transaction ${key}`);
          assert.deepEqual(await model.checkInvariants(), []);
        }));

      it('recomputes each balance from postings equal to the last BalanceChanged', () =>
        withModel(async (model) => {
          const script = randomFlow({ commands: 2_000, seed: 12, users: 8 });
          await model.apply(script.events);
          const reported = new Map<string, { available: number; locked: number }>();
          for (const e of script.events) {
            if (e.type === 'BalanceChanged') {
              reported.set(`${e.userId}:${e.asset}`, { available: e.available, locked: e.locked });
            }
          }
          assert.ok(reported.has('0:BTC') && reported.has('0:USDT'), 'the fee account collected both assets');
          for (const [key, balance] of reported) {
            const [user, asset] = key.split(':') as [string, string];
            assert.deepEqual(await model.balanceFromPostings(Number(user), asset), balance, key);
            assert.deepEqual(script.balance(Number(user), asset), balance, key);
          }
          const rows = await model.balances(1);
          assert.deepEqual(
            rows.map((b) => [b.asset, b.available, b.locked]),
            ['BTC', 'USDT'].map((a) => [
              a,
              reported.get(`1:${a}`)?.available,
              reported.get(`1:${a}`)?.locked,
            ]),
          );
        }));

      it('posts deposits and completed withdrawals against the external account', () =>
        withModel(async (model) => {
          const { script } = basicScenario();
          await model.apply(script.events);
          const postings = await model.postings({ userId: 1, asset: 'USDT' });
          const external = postings.filter((p) => p.account === 'external');
          assert.deepEqual(
            external.map((p) => [p.reason, p.amount]),
            [
              ['DEPOSIT', -usdt(100_000)],
              ['WITHDRAWAL_COMPLETE', usdt(1_000)],
            ],
          );
          const failed = postings.filter((p) => p.reason === 'WITHDRAWAL_FAIL');
          assert.deepEqual(
            failed.map((p) => [p.account, p.amount]),
            [
              ['available', usdt(500)],
              ['locked', -usdt(500)],
            ],
          );
          const page = await model.postings({
            userId: 1,
            asset: 'USDT',
            fromSeq: external[1]!.seq,
            limit: 2,
          });
          assert.deepEqual(page, postings.filter((p) => p.seq >= external[1]!.seq).slice(0, 2));
          assert.deepEqual(
            (await model.withdrawals(1)).map((w) => [w.withdrawalId, w.status, w.amount]),
            [
              ['w1', 'COMPLETED', usdt(1_000)],
              ['w2', 'FAILED', usdt(500)],
            ],
          );
        }));
    });

    describe('candles', () => {
      it('splits trades at the bucket boundaries of every interval, in UTC', () =>
        withModel(async (model) => {
          // Midnight UTC is a boundary of every interval; each step below crosses one more.
          const midnight = Date.UTC(2025, 2, 10);
          const script = new EventScript({ startTs: midnight - 10_000 });
          script.addAsset('BTC', 8).addAsset('USDT', 6).listMarket(BTC_USDT);
          script.deposit(1, 'USDT', usdt(10_000_000)).deposit(2, 'BTC', btc(1_000));
          const times = [midnight - 1, midnight, midnight + 59_999];
          for (const interval of CANDLE_INTERVALS) {
            const size = CANDLE_INTERVAL_MS[interval];
            times.push(midnight + size - 1, midnight + size);
          }
          const unique = [...new Set(times)].sort((a, b) => a - b);
          let price = 30_000;
          for (const ts of unique) {
            script.at(ts);
            const ask = script.limit(2, SYMBOL, 'SELL', usdt(price), btc(0.01));
            script.at(ts);
            script.limit(1, SYMBOL, 'BUY', usdt(price), btc(0.01), { against: [ask] });
            price += price % 2 === 0 ? 7 : -3;
          }
          await model.apply(script.events);
          const trades = (await model.dumpRows()).trades;
          for (const interval of CANDLE_INTERVALS) {
            const candles = await model.candles({ symbol: SYMBOL, interval, startTime: 0, limit: 1000 });
            assert.deepEqual(candles, candlesFromTrades(trades, interval), interval);
            const size = CANDLE_INTERVAL_MS[interval];
            const opens = candles.map((c) => c.openTime);
            assert.ok(
              opens.includes(midnight - size) && opens.includes(midnight) && opens.includes(midnight + size),
            );
            const atMidnight = candles.find((c) => c.openTime === midnight)!;
            assert.equal(atMidnight.closeTime, midnight + size - 1);
            assert.ok(atMidnight.tradeCount >= 2, `${interval} holds the trades from midnight to its end`);
          }
          const daily = await model.candles({ symbol: SYMBOL, interval: '1d', startTime: 0 });
          assert.deepEqual(
            daily.map((c) => [c.openTime, c.tradeCount]),
            [
              [midnight - 86_400_000, 1],
              [midnight, unique.length - 2],
              [midnight + 86_400_000, 1],
            ],
          );
        }));

      it('adds only the trades of a buying taker to the taker-buy volumes, across batches', () =>
        withModel(async (model) => {
          const minute = Date.UTC(2025, 2, 10, 9, 30);
          const script = new EventScript({ startTs: minute, stepMs: 1_000 });
          script.addAsset('BTC', 8).addAsset('USDT', 6).listMarket(BTC_USDT);
          script.deposit(1, 'USDT', usdt(1_000_000)).deposit(2, 'BTC', btc(100));
          const ask = script.limit(2, SYMBOL, 'SELL', usdt(30_000), btc(0.3));
          script.limit(1, SYMBOL, 'BUY', usdt(30_000), btc(0.3), { against: [ask] });
          const bid = script.limit(1, SYMBOL, 'BUY', usdt(29_990), btc(0.2));
          script.limit(2, SYMBOL, 'SELL', usdt(29_990), btc(0.2), { against: [bid] });
          const ask2 = script.limit(2, SYMBOL, 'SELL', usdt(30_010), btc(0.1));
          script.limit(1, SYMBOL, 'BUY', usdt(30_010), btc(0.1), { against: [ask2] });
          // One command per batch, so each candle's taker-buy volumes are summed by the upsert.
          for (const events of script.commands) await model.apply(events);
          for (const interval of CANDLE_INTERVALS) {
            const [candle, ...rest] = await model.candles({ symbol: SYMBOL, interval, startTime: 0 });
            assert.deepEqual(rest, [], interval);
            assert.deepEqual(
              [candle?.volume, candle?.quoteVolume, candle?.takerBuyVolume, candle?.takerBuyQuoteVolume],
              [btc(0.6), usdt(9_000) + usdt(5_998) + usdt(3_001), btc(0.4), usdt(9_000) + usdt(3_001)],
              interval,
            );
          }
        }));

      it('answers time ranges and returns the newest candles without a start time', () =>
        withModel(async (model) => {
          const script = randomFlow({ commands: 3_000, seed: 5, meanGapMs: 30_000 });
          await model.apply(script.events);
          const trades = (await model.dumpRows()).trades;
          const all = candlesFromTrades(trades, '1h');
          assert.ok(all.length > 10);
          const from = all[3]!.openTime;
          const to = all[7]!.openTime;
          assert.deepEqual(
            await model.candles({ symbol: SYMBOL, interval: '1h', startTime: from, endTime: to }),
            all.slice(3, 8),
          );
          assert.deepEqual(await model.candles({ symbol: SYMBOL, interval: '1h', limit: 4 }), all.slice(-4));
          assert.deepEqual(await model.candles({ symbol: 'ETHUSDT', interval: '1h' }), []);
        }));
    });

    describe('exactly once', () => {
      it('ignores a batch applied twice, and the already applied part of an overlapping one', () =>
        withModel(async (model) => {
          const script = randomFlow({ commands: 500, seed: 3 });
          const cut = commandBoundary(script.events, Math.floor(script.events.length / 2));
          const first = script.events.slice(0, cut);
          assert.equal((await model.apply(first)).applied, first.length);
          const once = await model.dumpRows();
          assert.deepEqual(await model.apply(first), {
            applied: 0,
            skipped: first.length,
            lastAppliedSeq: once.lastAppliedSeq,
          });
          assert.deepEqual(await model.dumpRows(), once);
          const overlapping = script.events.slice(cut - 200);
          const result = await model.apply(overlapping);
          assert.equal(result.applied, script.events.length - cut);
          assert.equal(result.lastAppliedSeq, script.lastSeq);
          assert.deepEqual(await model.dumpRows(), await dumpOf(factory, script.events));
        }));

      it('resumes after a reopen exactly where the last committed batch ended', () =>
        withModel(async (model, store) => {
          const script = randomFlow({ commands: 800, seed: 4 });
          const cut = commandBoundary(script.events, 1_500);
          await model.apply(script.events.slice(0, cut));
          await model.close();
          const reopened = await store.open();
          try {
            assert.equal(await reopened.lastAppliedSeq(), script.events[cut - 1]!.seq);
            // The log is replayed from an earlier point, as after a crash between commit and ack.
            await feed(reopened, script.events.slice(commandBoundary(script.events, 1_000)), {
              batchEvents: 97,
            });
            assert.deepEqual(await reopened.dumpRows(), await dumpOf(factory, script.events));
          } finally {
            await reopened.close();
          }
        }));

      it('rolls a failing batch back entirely and keeps its position', () =>
        withModel(async (model) => {
          const { script } = basicScenario();
          await model.apply(script.events);
          const before = await model.dumpRows();
          const next = script.lastSeq + 1;
          const ts = script.now;
          const bad: EngineEvent[] = [
            { type: 'AssetAdded', seq: next, ts, asset: 'ETH', decimals: 18 },
            {
              type: 'OrderCanceled',
              seq: next,
              ts,
              orderId: 999,
              userId: 1,
              symbol: SYMBOL,
              clientOrderId: 'x',
              executedQty: 0,
              cumulativeQuoteQty: 0,
              reason: 'USER',
            },
          ];
          await assert.rejects(model.apply(bad));
          assert.equal(await model.lastAppliedSeq(), script.lastSeq);
          assert.deepEqual(await model.dumpRows(), before);
        }));

      it('moves past commands without events when told their seq', () =>
        withModel(async (model) => {
          const { script } = basicScenario();
          script.silent().silent();
          await model.apply(script.events, script.lastSeq);
          assert.equal(await model.lastAppliedSeq(), script.lastSeq);
          assert.deepEqual(await model.apply([], script.lastSeq), {
            applied: 0,
            skipped: 0,
            lastAppliedSeq: script.lastSeq,
          });
          await assert.rejects(model.apply(script.events.slice(-1), script.lastSeq - 5), RangeError);
        }));

      it('rebuilds from scratch into the same rows as live projection in small batches', () =>
        withModel(async (model, store) => {
          const script = randomFlow({ commands: 3_000, seed: 9, meanGapMs: 20_000 });
          const projector = new Projector(model, { maxBatchEvents: 1 });
          await projector.start();
          const random = mulberry32(99);
          for (const events of script.commands) {
            projector.publish(events, events[0]?.seq);
            if (random() < 0.05) await projector.flush();
          }
          await projector.flush();
          const live = await model.dumpRows();
          assert.equal(live.lastAppliedSeq, script.lastSeq);
          assert.deepEqual(await model.checkInvariants(), []);

          const other = await factory.create();
          const fresh = await other.open();
          try {
            await rebuild(fresh, script.commands, { batchEvents: 5_000 });
            assert.deepEqual(await fresh.dumpRows(), live);
          } finally {
            await fresh.close();
            await other.destroy();
          }
          // And in place, over the rows it already has.
          await rebuild(model, script.events);
          assert.deepEqual(await model.dumpRows(), live);
          await model.close();
          const reopened = await store.open();
          try {
            assert.deepEqual(await reopened.dumpRows(), live);
          } finally {
            await reopened.close();
          }
        }));
    });

    it('keeps markets, assets and halts', () =>
      withModel(async (model) => {
        const { script } = basicScenario();
        await model.apply(script.events);
        assert.deepEqual(
          (await model.assets()).map((a) => [a.asset, a.decimals]),
          [
            ['BTC', 8],
            ['USDT', 6],
          ],
        );
        const [market] = await model.markets();
        assert.equal(market?.status, 'HALTED');
        assert.equal(market?.base, 'BTC');
        assert.equal(market?.takerFeePpm, BTC_USDT.takerFeePpm);
        assert.equal(market?.updatedSeq, script.lastSeq);
      }));

    it('fails on a bad page size, quoting it', () =>
      withModel(async (model) => {
        await assert.rejects(model.trades({ symbol: SYMBOL, limit: 1001 }), /limit 1001/);
        await assert.rejects(model.candles({ symbol: SYMBOL, interval: '1m', limit: 0 }), /limit 0/);
      }));
  });
}

function statuses(history: readonly { status: string }[]): string[] {
  return history.map((h) => h.status);
}

/** The first index at or after `index` where a new command starts. */
function commandBoundary(events: readonly EngineEvent[], index: number): number {
  let i = index;
  while (i < events.length && i > 0 && events[i]!.seq === events[i - 1]!.seq) i++;
  return i;
}

/** The dump of a fresh store fed all events in one batch: the reference for the others. */
async function dumpOf(factory: ReadModelFactory, events: readonly EngineEvent[]): Promise<ReadModelDump> {
  const store = await factory.create();
  const model = await store.open();
  try {
    await model.apply(events);
    return await model.dumpRows();
  } finally {
    await model.close();
    await store.destroy();
  }
}

function emptyDump(): ReadModelDump {
  return {
    lastAppliedSeq: 0,
    assets: [],
    markets: [],
    orders: [],
    orderStatus: [],
    trades: [],
    postings: [],
    balances: [],
    candles: [],
    withdrawals: [],
  };
}
