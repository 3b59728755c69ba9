import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { EngineEvent } from '../domain/events.ts';
import { batchByCommand } from './command-batches.ts';

const event = (seq: number): EngineEvent => ({ type: 'MarketHalted', seq, ts: 0, symbol: 'X' });

async function collect(source: Parameters<typeof batchByCommand>[0], min: number): Promise<number[][]> {
  const batches: number[][] = [];
  for await (const batch of batchByCommand(source, min)) batches.push(batch.map((e) => e.seq));
  return batches;
}

it('cuts only between commands', async () => {
  const events = [1, 1, 1, 2, 3, 3, 4].map(event);
  assert.deepEqual(await collect(events, 2), [[1, 1, 1], [2, 3, 3], [4]]);
});

it('accepts one array per command, async too', async () => {
  async function* commands() {
    yield [event(1), event(1)];
    yield [];
    yield [event(3)];
  }
  assert.deepEqual(await collect(commands(), 10), [[1, 1, 3]]);
});

it('fails if the source goes back in seq, quoting both seqs', async () => {
  await assert.rejects(collect([event(2), event(1)], 5), /seq 1 follows seq 2/);
});

it('fails if minEvents is not a positive integer', async () => {
  await assert.rejects(collect([], 0), /minEvents 0/);
});
