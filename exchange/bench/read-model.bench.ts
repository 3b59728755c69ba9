/**
 * Read-model projection throughput: a random order flow (resting and crossing limits, cancels,
 * rejections, deposits, withdrawals) applied to a file-backed SQLite read model in WAL mode,
 * through the Projector in batches, as the live pipeline would. Generation is not timed.
 * Usage: node exchange/bench/read-model.bench.ts [commands=200000] [batchEvents=16384]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Projector } from '../src/storage/projector.ts';
import { SqliteReadModel } from '../src/storage/sqlite/sqlite-read-model.ts';
import { randomFlow } from '../test/support/random-flow.ts';

const commands = Number(process.argv[2] ?? 200_000);
const batchEvents = Number(process.argv[3] ?? 16_384);
const script = randomFlow({ commands, users: 1_000, seed: 42, meanGapMs: 50 });
const counts = new Map<string, number>();
for (const e of script.events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);

const dir = mkdtempSync(join(tmpdir(), 'bourse-read-model-bench-'));
try {
  const model = SqliteReadModel.open({ path: join(dir, 'read-model.db') });
  const projector = new Projector(model, { maxBatchEvents: batchEvents });
  await projector.start();
  const started = performance.now();
  for (const events of script.commands) projector.publish(events, events[0]?.seq);
  await projector.flush();
  const seconds = (performance.now() - started) / 1000;
  const violations = await model.checkInvariants();
  await model.close();
  const result = {
    commands: script.commands.length,
    events: script.events.length,
    trades: counts.get('Trade') ?? 0,
    batchEvents,
    seconds: Number(seconds.toFixed(3)),
    eventsPerSecond: Math.round(script.events.length / seconds),
    commandsPerSecond: Math.round(script.commands.length / seconds),
    invariantViolations: violations.length,
  };
  console.log(`events by type: ${JSON.stringify(Object.fromEntries(counts))}`);
  console.log(
    `${result.events} events (${result.commands} commands) in ${result.seconds} s: ` +
      `${result.eventsPerSecond} events/s, ${result.commandsPerSecond} commands/s`,
  );
  console.log(JSON.stringify(result));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
