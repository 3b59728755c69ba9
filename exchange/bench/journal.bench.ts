/**
 * npm run bench:journal — commands through the whole durable path: sequencer, fsync'd file journal
 * (group commit) and engine, acknowledged only once durable. Beside it, in the same run, the bare
 * fsync rate of the same disk: the physical bound that group commit has to beat. Then recovery: the
 * time to reopen the journal and replay every command into a fresh engine, per million commands,
 * in a fresh process as a restart would be. Beside the paced run, the disk alone writing the same
 * bytes per second durably, whose latency tail is the floor under the acknowledgement tail.
 * Prints a table, then one JSON line with every figure.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { Command, UnstampedCommand } from '../src/domain/commands.ts';
import { MatchingEngine } from '../src/engine/engine.ts';
import { FileJournal } from '../src/journal/file/file-journal.ts';
import { Sequencer } from '../src/sequencer/sequencer.ts';
import { shallowWorkload, toUnstampedCommand } from './engine/workloads.ts';
import { measureDurableStream, measureFsyncBaseline } from './fsync-baseline.ts';
import { percentile } from './support/latency.ts';

const COMMANDS = Number(process.env.BENCH_COMMANDS ?? 1_000_000);
const OFFERED_PER_SEC = Number(process.env.BENCH_RATE ?? 300_000);
/** A lighter paced run, to show where the acknowledgement tail stands below the target rate. */
const LIGHT_PER_SEC = Number(process.env.BENCH_LIGHT_RATE ?? 100_000);

/** A fresh command object per submit, as a gateway would make: the sequencer stamps it in place. */
function unstamped(command: Command): UnstampedCommand {
  const { seq: _seq, ts: _ts, ...body } = command;
  return body as UnstampedCommand;
}

function percentiles(samples: Float64Array): { p50Ms: number; p99Ms: number; p999Ms: number; maxMs: number } {
  const sorted = samples.slice().sort();
  const at = (p: number) => Math.round(percentile(sorted, p) * 1000) / 1000;
  return { p50Ms: at(0.5), p99Ms: at(0.99), p999Ms: at(0.999), maxMs: at(1) };
}

/**
 * Offers `rate` commands per second in 1 ms slices (or as fast as it can when rate is 0), each
 * acknowledged after its group commit; measures the sustained rate and each command's
 * acknowledgement latency from submit to resolve.
 */
async function runPipeline(dir: string, commands: readonly (() => UnstampedCommand)[], rate: number) {
  const journal = await FileJournal.open({ dir });
  const engine = new MatchingEngine();
  const sequencer = new Sequencer(engine, journal, { clock: Date.now });
  const latencies = new Float64Array(commands.length);
  let acknowledged = 0;
  const start = performance.now();
  let next = 0;
  const maxInFlight = 2_048;
  await new Promise<void>((resolve, reject) => {
    const offer = () => {
      const elapsedMs = performance.now() - start;
      const due =
        rate > 0 ? Math.min(commands.length, Math.floor((elapsedMs * rate) / 1000) + 1) : commands.length;
      while (next < due && next - acknowledged < maxInFlight) {
        const index = next++;
        const submittedAt = performance.now();
        sequencer.submitWith(commands[index]!(), (error) => {
          if (error !== null) return reject(error);
          latencies[index] = performance.now() - submittedAt;
          if (++acknowledged === commands.length) resolve();
        });
      }
      if (next < commands.length) setImmediate(offer);
    };
    offer();
  });
  const seconds = (performance.now() - start) / 1000;
  const journalBytes = journal.segments().reduce((total, segment) => total + segment.bytes, 0);
  await journal.close();
  return {
    journalBytes,
    commandsPerSec: Math.round(commands.length / seconds),
    stateHash: engine.stateHash(),
    ...percentiles(latencies),
  };
}

/** Replays the journal in a new process, as a restart would: cold JIT, empty heap. */
async function recoverInFreshProcess(dir: string) {
  const script = new URL('./journal-recovery.ts', import.meta.url).pathname;
  // With this process's V8 flags, so that recovery runs as the exchange does.
  const { stdout } = await promisify(execFile)(process.execPath, [...process.execArgv, script, dir], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { commands: number; ms: number; stateHash: string };
}

const root = await mkdtemp(join(os.tmpdir(), 'bourse-bench-journal-'));
try {
  const fsync = measureFsyncBaseline({ dir: root, iterations: 2_000 });
  const { setup, ops } = shallowWorkload(COMMANDS, 42);
  const commands = [
    ...setup.map((command) => () => unstamped(command)),
    ...ops.map((op) => () => toUnstampedCommand(op)),
  ];

  // Warm the code paths up on a throwaway journal first.
  await runPipeline(join(root, 'warmup'), commands.slice(0, 100_000), 0);
  const saturated = await runPipeline(join(root, 'saturated'), commands, 0);
  const paced = await runPipeline(join(root, 'paced'), commands, OFFERED_PER_SEC);
  const light = await runPipeline(join(root, 'light'), commands.slice(0, LIGHT_PER_SEC * 5), LIGHT_PER_SEC);

  const diskAlone = await measureDurableStream({
    dir: root,
    bytesPerSec: (paced.journalBytes / commands.length) * OFFERED_PER_SEC,
    durationMs: 3_000,
  });
  const recovered = await recoverInFreshProcess(join(root, 'paced'));
  if (recovered.stateHash !== paced.stateHash) throw new Error('recovered state differs from the run');
  const recoveryMs = recovered.ms;
  const recoveryMsPerMillion = Math.round((recoveryMs / recovered.commands) * 1e6);

  const fsyncsPerSec = Math.round(fsync.fsyncsPerSec);
  console.log(
    `machine: ${os.cpus()[0]?.model ?? 'unknown'} x${os.cpus().length}, node ${process.version} ${process.execArgv.join(' ')}`,
  );
  console.log(
    `bare fsync (baseline)      ${String(fsyncsPerSec).padStart(9)} fsyncs/s   p50 ${fsync.p50Ms} ms  p99 ${fsync.p99Ms} ms`,
  );
  for (const [label, run] of [
    ['saturated (as fast as acked)', saturated],
    [`paced at ${OFFERED_PER_SEC}/s`, paced],
    [`paced at ${LIGHT_PER_SEC}/s (5 s)`, light],
  ] as const) {
    console.log(
      `${label.padEnd(29)} ${String(run.commandsPerSec).padStart(9)} cmds/s  ack p50 ${run.p50Ms} ms  p99 ${run.p99Ms} ms  p99.9 ${run.p999Ms} ms  (${Math.round(run.commandsPerSec / fsyncsPerSec)}x the fsync rate)`,
    );
  }
  console.log(
    `disk alone at the paced byte rate: ${diskAlone.writes} O_DSYNC writes of ${diskAlone.meanWriteBytes} B on average, p50 ${diskAlone.p50Ms} ms  p99 ${diskAlone.p99Ms} ms  max ${diskAlone.maxMs} ms (the floor under the ack tail)`,
  );
  console.log(
    `recovery: ${recovered.commands} commands replayed in ${Math.round(recoveryMs)} ms = ${recoveryMsPerMillion} ms per million`,
  );
  console.log(
    JSON.stringify({
      benchmark: 'journal',
      node: process.version,
      nodeFlags: process.execArgv,
      cpus: os.cpus().length,
      commands: commands.length,
      fsyncBaseline: { fsyncsPerSec, p50Ms: fsync.p50Ms, p99Ms: fsync.p99Ms },
      saturated: {
        ...saturated,
        stateHash: undefined,
        ratioToFsync: Math.round(saturated.commandsPerSec / fsyncsPerSec),
      },
      paced: { offeredPerSec: OFFERED_PER_SEC, ...paced, stateHash: undefined },
      light: { offeredPerSec: LIGHT_PER_SEC, ...light, stateHash: undefined },
      diskAloneAtPacedByteRate: diskAlone,
      recovery: {
        commands: recovered.commands,
        ms: Math.round(recoveryMs),
        msPerMillion: recoveryMsPerMillion,
      },
    }),
  );
} finally {
  await rm(root, { recursive: true, force: true });
}
