import assert from 'node:assert/strict';
import { it } from 'node:test';
import { OrderIndex } from '../../src/gateway/rest/order-index.ts';
import { SqliteReadModel } from '../../src/storage/sqlite/sqlite-read-model.ts';
import { randomFlow } from '../support/random-flow.ts';
import { basicScenario } from '../support/scenarios.ts';

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
