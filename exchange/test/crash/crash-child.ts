/**
 * The process the crash test kills. It runs the embedded exchange (sequencer, engine, file journal,
 * snapshots, projection) on the data folder given as argv[2], reads one JSON command per line on
 * stdin, and writes a line for each acknowledgement. "state" asks for the recovered state. The
 * projection is SQLite in the data folder, or MariaDB when argv[3] holds its options as JSON.
 */
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { EmbeddedExchange } from '../../src/app/embedded-exchange.ts';
import type { UnstampedCommand } from '../../src/domain/commands.ts';
import {
  MariaDbReadModel,
  type MariaDbReadModelOptions,
} from '../../src/storage/mariadb/mariadb-read-model.ts';

const dataDir = process.argv[2]!;
const mariadb =
  process.argv[3] === undefined ? undefined : (JSON.parse(process.argv[3]) as MariaDbReadModelOptions);
const exchange = await EmbeddedExchange.open({
  dataDir,
  ...(mariadb !== undefined && { readModel: await MariaDbReadModel.open(mariadb) }),
  segmentBytes: 64 * 1024,
  snapshots: { everyCommands: 300, everyMs: 200 },
  pruneJournal: false,
});
const write = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
write({
  ready: true,
  lastSeq: exchange.engine.lastSeq,
  snapshotSeq: exchange.recovery.snapshotSeq,
  hash: exchange.engine.stateHash(),
});

for await (const line of createInterface({ input: process.stdin })) {
  const message = JSON.parse(line) as { id: number; command: UnstampedCommand } | { state: true };
  if ('state' in message) {
    await exchange.projector.flush();
    const rows = await exchange.readModel.dumpRows();
    write({
      state: true,
      lastSeq: exchange.engine.lastSeq,
      hash: exchange.engine.stateHash(),
      invariants: exchange.engine.checkInvariants(),
      projectedSeq: exchange.projector.appliedSeq,
      rowsHash: createHash('sha256').update(JSON.stringify(rows)).digest('hex'),
      readModelInvariants: await exchange.readModel.checkInvariants(),
    });
    continue;
  }
  exchange.submit(message.command).then(
    (result) => write({ id: message.id, seq: result.seq }),
    (error: unknown) => write({ id: message.id, error: String(error) }),
  );
}
