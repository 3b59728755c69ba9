import assert from 'node:assert/strict';
import { it } from 'node:test';
import { OrderIndex } from '../../src/gateway/rest/order-index.ts';
import { SqliteReadModel } from '../../src/storage/sqlite/sqlite-read-model.ts';
import { randomFlow } from '../support/random-flow.ts';
import { basicScenario } from '../support/scenarios.ts';
import { tradeBetween, waitingStops } from '../support/waiting-stops.ts';

/**
 * The gateway's order index answers cancels before the read model has caught up; both must show the
 * same order. Regression: the index counted a trade and its fill within one command as two status
 * changes (version 3 for NEW -> FILLED) where the read model counts one (version 2).
 */
it("the gateway's order index shows every order exactly as the read model stores it", async () => {
  for (const script of [basicScenario().script, randomFlow({ commands: 3_000, seed: 21 })]) {
    const index = new OrderIndex(1_000_000);
    for (const events of script.commands) index.apply(events);
    const model = SqliteReadModel.open({ path: ':memory:' });
    try {
      await model.apply(script.events);
      const { orders } = await model.dumpRows();
      assert.ok(orders.length > 5);
      assert.ok(orders.some((o) => o.status === 'FILLED' && o.version === 2));
      for (const row of orders) assert.deepEqual(index.get(row.orderId), row, `order ${row.orderId}`);
    } finally {
      await model.close();
    }
  }
});

/** A conditional order's row: waiting (workingTs -1), then triggered, NEW and working, in both. */
it("the gateway's order index shows waiting and triggered stops exactly as the read model", async () => {
  const { driver: d, placed, trailing } = waitingStops();
  const index = new OrderIndex(1_000);
  let from = 0;
  const model = SqliteReadModel.open({ path: ':memory:' });
  try {
    const compare = async () => {
      // One command's events per call, as the gateway applies them.
      for (let i = from; i < d.events.length; ) {
        let j = i;
        while (j < d.events.length && d.events[j]!.seq === d.events[i]!.seq) j++;
        index.apply(d.events.slice(i, j));
        i = j;
      }
      await model.apply(d.events.slice(from));
      from = d.events.length;
      const { orders } = await model.dumpRows();
      for (const row of orders) assert.deepEqual(index.get(row.orderId), row, `order ${row.orderId}`);
    };
    await compare();
    assert.equal(index.get(placed.orderId)?.workingTs, -1);
    assert.equal(index.get(trailing.orderId)?.trailingDelta, 100);
    tradeBetween(d, 39_000);
    await compare();
    const working = index.get(placed.orderId);
    assert.equal(working?.status, 'NEW');
    assert.equal(working?.workingTs, working?.updatedTs);
    assert.ok(working!.workingTs > working!.createdTs);
  } finally {
    await model.close();
  }
});
