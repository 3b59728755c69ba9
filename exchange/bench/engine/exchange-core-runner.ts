import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ReplayRecord } from './replay-record.ts';

const HARNESS = join(import.meta.dirname, 'exchange-core');
const JAR = join(HARNESS, 'target', 'exchange-core-peer-1.0.0.jar');

/** What exchange-core 0.5.3 and its libraries (Chronicle, OpenHFT) need opened on Java 17. */
const JAVA_FLAGS = [
  '--add-opens=java.base/java.lang=ALL-UNNAMED',
  '--add-opens=java.base/java.lang.reflect=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/java.util=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED',
  '--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED',
  '--add-exports=java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED',
  '-Xms2g',
  '-Xmx2g',
];

/**
 * Builds the harness with Maven when Java and Maven are on the PATH (only when its sources changed);
 * returns the java command line's classpath, or why the exchange-core rows are skipped.
 */
export function prepareExchangeCore(): { classpath: string } | { skipped: string } {
  for (const [tool, flag] of [
    ['java', '-version'],
    ['mvn', '-v'],
  ] as const) {
    const probe = spawnSync(tool, [flag], { stdio: 'ignore' });
    if (probe.error !== undefined || probe.status !== 0) return { skipped: `${tool} is not installed` };
  }
  if (newestSource(HARNESS) > builtAt()) {
    const build = spawnSync('mvn', ['-q', '-B', 'package'], { cwd: HARNESS, encoding: 'utf8' });
    if (build.status !== 0) return { skipped: `mvn package failed:\n${build.stdout}${build.stderr}` };
  }
  const dependencies = readFileSync(join(HARNESS, 'target', 'classpath.txt'), 'utf8').trim();
  return { classpath: `${JAR}:${dependencies}` };
}

function builtAt(): number {
  try {
    return statSync(JAR).mtimeMs;
  } catch {
    return 0;
  }
}

function newestSource(dir: string): number {
  let newest = statSync(join(dir, 'pom.xml')).mtimeMs;
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(join(dir, 'src'));
  return newest;
}

export interface ExchangeCoreVerify {
  trades: number;
  volumeLots: number;
  rejects: number;
  rejectsByCode: Record<string, number>;
  bids: number[];
  asks: number[];
}

/** One harness process per workload, asked for one round at a time so that rounds alternate with ours. */
export class ExchangeCoreRunner {
  private readonly lines: AsyncIterator<string>;
  private readonly child: ReturnType<typeof spawn>;

  private constructor(child: ReturnType<typeof spawn>) {
    this.child = child;
    this.lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  }

  static start(classpath: string, workloadFile: string, fillsFile: string): ExchangeCoreRunner {
    const child = spawn(
      'java',
      [...JAVA_FLAGS, '-cp', classpath, 'bourse.bench.ExchangeCorePeer', 'serve', workloadFile, fillsFile],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    return new ExchangeCoreRunner(child);
  }

  private async next<T>(type: string): Promise<T> {
    const line = await this.lines.next();
    if (line.done) throw new Error(`the exchange-core harness exited before answering '${type}'`);
    const answer = JSON.parse(line.value) as { type: string };
    if (answer.type !== type)
      throw new Error(`the exchange-core harness answered ${line.value} to '${type}'`);
    return answer as T;
  }

  /** Its untimed replay, as a record comparable with ours. */
  async replay(fillsFile: string): Promise<ReplayRecord & { rejects: number }> {
    const verify = await this.next<ExchangeCoreVerify>('verify');
    const bytes = readFileSync(fillsFile);
    const fills = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    return {
      engine: 'exchange-core',
      fills,
      trades: verify.trades,
      volumeLots: verify.volumeLots,
      bids: verify.bids,
      asks: verify.asks,
      rejectsByReason: verify.rejectsByCode,
      rejects: verify.rejects,
    };
  }

  async request<T>(kind: 'single' | 'latency' | 'pipeline'): Promise<T> {
    this.child.stdin!.write(`${kind}\n`);
    return this.next<T>(kind);
  }

  async close(): Promise<void> {
    this.child.stdin!.end('quit\n');
    await new Promise((resolve) => this.child.once('exit', resolve));
  }
}

/** The heap exchange-core holds for a workload of resting orders, measured in its own JVM. */
export function exchangeCoreMemory(
  classpath: string,
  workloadFile: string,
): { bytesPerOrder: number; orders: number; rejects: number; trades: number } {
  const run = spawnSync(
    'java',
    [...JAVA_FLAGS, '-cp', classpath, 'bourse.bench.ExchangeCorePeer', 'memory', workloadFile],
    {
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) throw new Error(`exchange-core memory run failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!);
}
