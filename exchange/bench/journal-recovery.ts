/**
 * The recovery half of bench:journal, run in a process of its own because that is what a restart
 * is: a fresh process with a cold JIT and an empty heap reopening the journal and replaying it.
 * Prints one JSON line: commands replayed, milliseconds, and the recovered state's hash.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FileJournal } from '../src/journal/file/file-journal.ts';
import { FileSnapshotStore } from '../src/journal/snapshots/file/file-snapshot-store.ts';
import { recoverEngine } from '../src/sequencer/recover.ts';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: journal-recovery.ts <journal folder>');
const started = performance.now();
const journal = await FileJournal.open({ dir });
const recovered = await recoverEngine(journal, await FileSnapshotStore.open(join(dir, '..', 'no-snapshots')));
const ms = performance.now() - started;
await journal.close();
console.log(
  JSON.stringify({ commands: recovered.replayedCommands, ms, stateHash: recovered.engine.stateHash() }),
);
