import type { TradeRecord } from '../engine/snapshot-upgrade.ts';
import { MAX_LIMIT, type ReadModelPort } from '../storage/read-model-port.ts';

/**
 * Every trade the read model holds up to `seq`, market by market, in trade order (which is seq
 * order): what recovery needs to upgrade a format-1 snapshot at `seq`. The read model is at or past
 * it, since recovery uses no snapshot newer than the projection's position.
 */
export async function* readModelTradesThrough(
  readModel: ReadModelPort,
  seq: number,
): AsyncGenerator<readonly TradeRecord[]> {
  for (const { symbol } of await readModel.markets()) {
    let fromId: number | undefined = 1;
    while (fromId !== undefined) {
      const page = await readModel.trades({ symbol, fromId, limit: MAX_LIMIT });
      const through = page.filter((trade) => trade.seq <= seq);
      yield through;
      fromId = page.length < MAX_LIMIT || through.length < page.length ? undefined : page.at(-1)!.tradeId + 1;
    }
  }
}
