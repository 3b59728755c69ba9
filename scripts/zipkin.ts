/**
 * Zipkin's server, the local trace backend with a UI (http://127.0.0.1:9411/zipkin/): its `exec`
 * jar is fetched from Maven Central with mvn into .tmp/zipkin/ (ignored) the first time, and runs
 * on the machine's Java 17 with in-memory storage.
 *
 *   node scripts/zipkin.ts            fetches the jar if needed and prints its path
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const ZIPKIN_VERSION = '3.5.1';
const DIR = join(import.meta.dirname, '..', '.tmp', 'zipkin');
export const ZIPKIN_JAR = join(DIR, `zipkin-server-${ZIPKIN_VERSION}-exec.jar`);

/** The jar's path, fetched with mvn (dependency:copy of io.zipkin:zipkin-server:exec) when missing. */
export function ensureZipkinJar(): string {
  if (existsSync(ZIPKIN_JAR)) return ZIPKIN_JAR;
  mkdirSync(DIR, { recursive: true });
  execFileSync(
    'mvn',
    [
      '-q',
      '-B',
      'dependency:copy',
      `-Dartifact=io.zipkin:zipkin-server:${ZIPKIN_VERSION}:jar:exec`,
      `-DoutputDirectory=${DIR}`,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'], cwd: DIR },
  );
  if (!existsSync(ZIPKIN_JAR)) throw new Error(`mvn finished but ${ZIPKIN_JAR} is missing`);
  return ZIPKIN_JAR;
}

export interface RunningZipkin {
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts Zipkin on `port` and resolves once its health endpoint answers UP. */
export async function startZipkin(port: number): Promise<RunningZipkin> {
  const jar = ensureZipkinJar();
  const child = spawn('java', ['-Xmx256m', '-jar', jar], {
    env: { ...process.env, QUERY_PORT: String(port), STORAGE_TYPE: 'mem' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`zipkin exited with ${code}: ${stderr}`))),
  );
  const up = (async () => {
    for (;;) {
      const health = await fetch(`${url}/health`).catch(() => undefined);
      if (health?.ok && ((await health.json()) as { status?: string }).status === 'UP') return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  await Promise.race([up, exited]);
  return {
    url,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

if (import.meta.main) console.log(ensureZipkinJar());
