/**
 * Times a synthesis of the whole app: every account, environment and region, landing zone and platform, with
 * cdk-nag and the policy-as-code rules, into a temporary directory. Prints the phases, the count of stacks and
 * resources per kind of stack, and ends with one JSON line for CI to compare runs.
 *
 *   npm run bench:synth [-- --runs 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../lib/app.ts';
import { bourseConfig } from '../lib/config/bourse.config.ts';
import { EXAMPLE_CONTEXT } from '../lib/config/deployment.ts';

const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1] ?? 1) : 1;

interface Run {
  readonly buildMs: number;
  readonly synthMs: number;
  readonly stacks: number;
  readonly resources: number;
  readonly byKind: Record<string, { stacks: number; resources: number }>;
}

function once(): Run {
  const outdir = mkdtempSync(join(tmpdir(), 'bourse-bench-'));
  try {
    const t0 = performance.now();
    const { app } = buildApp(bourseConfig, { outdir, context: { [EXAMPLE_CONTEXT]: true } });
    const t1 = performance.now();
    const assembly = app.synth();
    const t2 = performance.now();
    const byKind: Record<string, { stacks: number; resources: number }> = {};
    let resources = 0;
    for (const stack of assembly.stacks) {
      const count = Object.keys((stack.template as { Resources?: object }).Resources ?? {}).length;
      resources += count;
      const kind = stack.hierarchicalId.split('-')[0] ?? stack.hierarchicalId;
      const entry = byKind[kind] ?? { stacks: 0, resources: 0 };
      byKind[kind] = { stacks: entry.stacks + 1, resources: entry.resources + count };
    }
    return { buildMs: t1 - t0, synthMs: t2 - t1, stacks: assembly.stacks.length, resources, byKind };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const results: Run[] = [];
for (let i = 0; i < runs; i++) {
  const run = once();
  results.push(run);
  console.log(
    `run ${i + 1}/${runs}: build ${run.buildMs.toFixed(0)} ms, synth + checks ${run.synthMs.toFixed(0)} ms, ` +
      `${run.stacks} stacks, ${run.resources} resources`,
  );
}
const last = results[results.length - 1] as Run;
console.log('\nstacks and resources by kind:');
for (const [kind, { stacks, resources }] of Object.entries(last.byKind).sort()) {
  console.log(
    `  ${kind.padEnd(22)} ${String(stacks).padStart(3)} stacks ${String(resources).padStart(6)} resources`,
  );
}
const totals = results.map((r) => r.buildMs + r.synthMs).sort((a, b) => a - b);
const median = totals[Math.floor(totals.length / 2)] ?? 0;
console.log(
  `\nconditions: node ${process.version}, ${availableParallelism()} cpus (${cpus()[0]?.model ?? 'unknown'}), ${runs} run(s)`,
);
console.log(
  JSON.stringify({
    bench: 'synth',
    runs,
    medianMs: Math.round(median),
    buildMs: Math.round(last.buildMs),
    synthMs: Math.round(last.synthMs),
    stacks: last.stacks,
    resources: last.resources,
  }),
);
