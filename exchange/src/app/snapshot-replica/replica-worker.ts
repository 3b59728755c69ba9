/**
 * The snapshot replica's thread: a second engine, started from the state the log and the snapshots
 * give at the exchange's position, then following every command the exchange applies after it. It
 * serializes and writes the snapshots, so the exchange's own loop never stalls for them. Messages
 * are handled one at a time, in order: a snapshot holds exactly the commands sent before its request.
 * Recovery waits for nothing but the log: commands that arrive meanwhile queue behind it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MatchingEngine } from '../../engine/engine.ts';
import { FileJournal } from '../../journal/file/file-journal.ts';
import { FileSnapshotStore } from '../../journal/snapshots/file/file-snapshot-store.ts';
import { stepBack, THREAD_NICE } from '../../runtime/thread-priority.ts';
import { recoverEngine } from '../../sequencer/recover.ts';
import { inThreadSnapshots, type SnapshotSource } from '../../sequencer/snapshot-source.ts';
import { forEachCommand } from './command-frames.ts';
import type { FromReplica, ReplicaStart, ToReplica } from './protocol.ts';

const port = parentPort!;
const start = workerData as ReplicaStart;
const post = (message: FromReplica) => port.postMessage(message);
// Snapshots may run late; the exchange's thread and its clients may not.
stepBack(THREAD_NICE.BACKGROUND);

interface Replica {
  readonly engine: MatchingEngine;
  /** Its own snapshots, taken on this thread. */
  readonly snapshots: SnapshotSource;
}

async function recover(): Promise<Replica> {
  // Read-only: the exchange is appending to this journal; everything up to throughSeq is durable.
  // Its sealed segments were checked record by record by the exchange's own open moments ago.
  const journal = await FileJournal.open({
    dir: start.journalDir,
    readOnly: true,
    verifySealedSegments: false,
  });
  try {
    const store = await FileSnapshotStore.open(start.snapshotsDir);
    const { engine } = await recoverEngine(journal, store, { throughSeq: start.throughSeq });
    return { engine, snapshots: inThreadSnapshots(engine, store) };
  } finally {
    await journal.close();
  }
}

function handle(message: ToReplica, { engine, snapshots }: Replica): void {
  if (message.type === 'commands') {
    forEachCommand(message.frames, (command) => {
      // Seqs increase, with a gap only where an accepted loss of the log's tail skipped seqs.
      if (command.seq <= engine.lastSeq) {
        throw new Error(`command seq ${command.seq} does not follow the replica's ${engine.lastSeq}`);
      }
      engine.replay(command);
    });
    return;
  }
  if (message.type === 'state-hash') {
    post({ type: 'state-hash', id: message.id, seq: engine.lastSeq, hash: engine.stateHash() });
    return;
  }
  // Captured now; the file is written in the background while later commands are applied (the
  // snapshotter asks for the next snapshot only once this one is written).
  snapshots.write(message.ts).then(
    (seq) => post({ type: 'snapshotted', id: message.id, seq }),
    (error: unknown) => post({ type: 'write-failed', id: message.id, message: messageOf(error) }),
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

let replica: Replica | undefined;
let failed = false;

function fail(error: unknown): void {
  if (failed) return;
  failed = true;
  post({ type: 'failed', message: messageOf(error) });
}

let queue: Promise<void> = recover().then((recovered) => {
  replica = recovered;
}, fail);

port.on('message', (message: ToReplica) => {
  queue = queue.then(() => {
    if (failed || replica === undefined) return;
    try {
      handle(message, replica);
    } catch (error) {
      fail(error);
    }
  });
});
