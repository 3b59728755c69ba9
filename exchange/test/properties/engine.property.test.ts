import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Command, UnstampedCommand } from '../../src/domain/commands.ts';
import type { EngineEvent } from '../../src/domain/events.ts';
import { MatchingEngine } from '../../src/engine/engine.ts';
import { EngineDriver, eventsOfType } from '../support/engine-driver.ts';
import { anyCommand, LOT, tradingCommand } from '../support/random-commands.ts';
import { ReferenceBook, type RefOrderInput } from '../support/reference-book.ts';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 150);

/** The state without its sequence number, which every command advances even when rejected. */
const stateOf = (engine: MatchingEngine) => JSON.stringify({ ...engine.snapshot(), lastSeq: 0 });

describe('engine properties over random command flows', () => {
  it('after every command: books uncrossed, balances conserved and never negative, fills within limits, rejections inert', () => {
    fc.assert(
      fc.property(fc.array(anyCommand, { minLength: 1, maxLength: 150 }), (commands) => {
        const driver = EngineDriver.withMarket({ makerFeePpm: 1_000, takerFeePpm: 2_500 });
        const external = new Map<string, number>([
          ['BTC', 0],
          ['USDT', 0],
        ]);
        for (const command of commands) {
          const before = stateOf(driver.engine);
          const events = driver.send(command);
          assert.ok(events.length > 0, 'every command has an outcome');
          assert.ok(events.every((e) => e.seq === driver.seq && e.ts === driver.ts));
          if (events[0]?.type === 'Rejected' && command.type !== 'CancelReplace') {
            assert.equal(events.length, 1);
            assert.equal(stateOf(driver.engine), before, `rejected ${command.type} changed the state`);
          }
          for (const e of events) {
            if (
              e.type === 'BalanceChanged' &&
              (e.reason === 'DEPOSIT' || e.reason === 'WITHDRAWAL_COMPLETE')
            ) {
              external.set(e.asset, (external.get(e.asset) ?? 0) + e.availableDelta + e.lockedDelta);
            }
            if (e.type === 'BalanceChanged') assert.ok(e.available >= 0 && e.locked >= 0, 'negative balance');
          }
          checkFillsWithinLimits(command, events);
          assert.deepEqual(driver.engine.checkInvariants(), []);
          for (const asset of driver.engine.assets.all()) {
            assert.equal(
              asset.supply,
              external.get(asset.name),
              `${asset.name}: supply is deposits minus withdrawals`,
            );
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('trades exactly as a naive reference book does', () => {
    fc.assert(
      fc.property(fc.array(tradingCommand, { minLength: 1, maxLength: 120 }), (commands) => {
        const driver = EngineDriver.withMarket();
        for (const userId of [1, 2, 3, 4]) {
          driver.deposit(userId, 'BTC', 1e12);
          driver.deposit(userId, 'USDT', 1e14);
        }
        const reference = new ReferenceBook(LOT, 1e8);
        for (const command of commands) {
          const events = driver.send(command);
          followInReference(reference, command, events);
          const resting = [...driver.engine.orders.all()].map((o) => o.orderId).sort((a, b) => a - b);
          assert.deepEqual(resting, reference.restingIds(), 'resting orders');
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('replays to byte-identical events, and snapshot plus the tail gives the same state hash', () => {
    fc.assert(
      fc.property(fc.array(anyCommand, { minLength: 1, maxLength: 150 }), fc.nat(), (commands, cut) => {
        const driver = EngineDriver.withMarket({ makerFeePpm: 1_000, takerFeePpm: 2_500 });
        for (const command of commands) driver.send(command);
        const log = driver.log;

        const replayed = new MatchingEngine();
        const replayEvents = log.flatMap((c) => replayed.apply(c));
        assert.equal(JSON.stringify(replayEvents), JSON.stringify(driver.events));
        assert.equal(replayed.stateHash(), driver.engine.stateHash());

        const k = cut % (log.length + 1);
        const prefix = new MatchingEngine();
        for (const c of log.slice(0, k)) prefix.apply(c);
        const restored = MatchingEngine.restore(JSON.parse(JSON.stringify(prefix.snapshot())));
        assert.equal(restored.stateHash(), prefix.stateHash());
        const tailEvents = log.slice(k).flatMap((c) => restored.apply(c as Command));
        assert.equal(
          JSON.stringify(tailEvents),
          JSON.stringify(driver.events.filter((e) => e.seq > (log[k - 1]?.seq ?? 0))),
        );
        assert.equal(restored.stateHash(), driver.engine.stateHash());
      }),
      { numRuns: RUNS },
    );
  });

  it('replaying for state alone (no events built) reaches the same state after every command', () => {
    fc.assert(
      fc.property(fc.array(anyCommand, { minLength: 40, maxLength: 200, size: 'max' }), (commands) => {
        const driver = EngineDriver.withMarket({ makerFeePpm: 1_000, takerFeePpm: 2_500 });
        for (const command of commands) driver.send(command);
        fc.pre(driver.events.some((e) => e.type === 'Trade'));
        const silent = new MatchingEngine();
        for (const command of driver.log) {
          silent.replay(command);
          assert.equal(silent.lastSeq, command.seq);
        }
        assert.equal(silent.stateHash(), driver.engine.stateHash());
        // Alternating the two modes: each hands over to the other cleanly, and recorded events are unchanged.
        const mixed = new MatchingEngine();
        const mixedEvents: EngineEvent[] = [];
        driver.log.forEach((c, i) => {
          if (i % 2 === 0) mixed.replay(c);
          else mixedEvents.push(...mixed.apply(c));
        });
        assert.equal(
          JSON.stringify(mixedEvents),
          JSON.stringify(driver.events.filter((e) => driver.log.findIndex((c) => c.seq === e.seq) % 2 === 1)),
        );
        assert.equal(mixed.stateHash(), driver.engine.stateHash());
      }),
      { numRuns: RUNS },
    );
  });
});

/** A buy never pays above its limit, a sell never gets less. */
function checkFillsWithinLimits(command: UnstampedCommand, events: readonly EngineEvent[]): void {
  const order =
    command.type === 'PlaceOrder' ? command : command.type === 'CancelReplace' ? command.order : undefined;
  if (order === undefined || order.price === undefined) return;
  for (const trade of eventsOfType(events, 'Trade')) {
    if (order.side === 'BUY')
      assert.ok(trade.price <= order.price, `buy limit ${order.price} filled at ${trade.price}`);
    else assert.ok(trade.price >= order.price, `sell limit ${order.price} filled at ${trade.price}`);
  }
}

function followInReference(
  reference: ReferenceBook,
  command: UnstampedCommand,
  events: readonly EngineEvent[],
): void {
  for (const canceled of eventsOfType(events, 'OrderCanceled')) {
    assert.ok(
      reference.cancel(canceled.orderId),
      `engine canceled ${canceled.orderId}, which the reference does not hold`,
    );
  }
  if (command.type === 'CancelAllOrders' && events[0]?.type === 'Rejected') {
    assert.deepEqual(reference.openOrdersOf(command.userId), []);
  }
  const order =
    command.type === 'PlaceOrder' ? command : command.type === 'CancelReplace' ? command.order : undefined;
  if (order === undefined) return;
  const rejected = eventsOfType(events, 'Rejected').find(
    (r) => r.command === command.type && r.reason !== 'UNKNOWN_ORDER',
  );
  const input: RefOrderInput = {
    userId: order.userId,
    side: order.side,
    kind: order.orderType as RefOrderInput['kind'],
    timeInForce:
      order.orderType === 'LIMIT' ? order.timeInForce! : order.orderType === 'MARKET' ? 'IOC' : 'GTC',
    price: order.price ?? 0,
    quantity: order.quantity ?? 0,
    quote: order.quoteOrderQty ?? 0,
    stpMode: order.stpMode ?? 'EXPIRE_MAKER',
  };
  if (rejected !== undefined) {
    if (rejected.reason === 'WOULD_TAKE_AS_MAKER') assert.equal(reference.place(input), null);
    return;
  }
  if (eventsOfType(events, 'OrderAccepted').length === 0) return;
  const expected = reference.place(input);
  assert.notEqual(expected, null, 'the engine accepted what the reference refuses');
  const actual = eventsOfType(events, 'Trade').map((t) => ({
    price: t.price,
    quantity: t.quantity,
    makerOrderId: t.makerOrderId,
    takerOrderId: t.takerOrderId,
  }));
  assert.deepEqual(actual, expected);
}
