/**
 * The snapshot replica's thread: a second engine, started from the state the log and the snapshots
 * give at the exchange's position, then following every command the exchange applies after it. It
 * serializes and writes the snapshots, so the exchange's own loop never stalls for them. Messages
 * are handled one at a time, in order: a snapshot holds exactly the commands sent before its request.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MatchingEngine } from '../../engine/engine.ts';
import { FileJournal } from '../../journal/file/file-journal.ts';
import { SnapshotStore } from '../../journal/snapshots/snapshot-store.ts';
import { recoverEngine } from '../../sequencer/recover.ts';
import { forEachCommand } from './command-frames.ts';
import type { FromReplica, ReplicaStart, ToReplica } from './protocol.ts';

const port = parentPort!;
const start = workerData as ReplicaStart;
const post = (message: FromReplica) => port.postMessage(message);

async function recover(): Promise<{ engine: MatchingEngine; store: SnapshotStore }> {
  // Read-only: the exchange is appending to this journal; everything up to throughSeq is durable.
  const journal = await FileJournal.open({ dir: start.journalDir, readOnly: true });
  try {
    const store = await SnapshotStore.open(start.snapshotsDir);
    const { engine } = await recoverEngine(journal, store, { throughSeq: start.throughSeq });
    return { engine, store };
  } finally {
    await journal.close();
  }
}

async function handle(message: ToReplica, engine: MatchingEngine, store: SnapshotStore): Promise<void> {
  if (message.type === 'commands') {
    forEachCommand(message.frames, (command) => {
      if (command.seq !== engine.lastSeq + 1) {
        throw new Error(`command seq ${command.seq} does not follow the replica's ${engine.lastSeq}`);
      }
      engine.replay(command);
    });
    return;
  }
  // Captured before the first await: later commands may be applied while the file is written.
  const seq = engine.lastSeq;
  const body = JSON.stringify(engine.snapshot());
  await store.write(seq, message.ts, body);
  post({ type: 'snapshotted', id: message.id, seq });
}

let replica: { engine: MatchingEngine; store: SnapshotStore } | undefined;
let failed = false;

function fail(error: unknown): void {
  if (failed) return;
  failed = true;
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}

let queue: Promise<void> = recover().then((recovered) => {
  replica = recovered;
  post({ type: 'ready', seq: recovered.engine.lastSeq });
}, fail);

port.on('message', (message: ToReplica) => {
  queue = queue.then(async () => {
    if (failed || replica === undefined) return;
    try {
      await handle(message, replica.engine, replica.store);
    } catch (error) {
      fail(error);
    }
  });
});
