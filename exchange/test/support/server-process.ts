/**
 * The real server as a user runs it, in a child process: its JSON log lines on stdout, the demo
 * keys it shows once on stderr, its exit. For tests that kill it, corrupt its files, restart it, or
 * stop it with a signal.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
const SERVER = join(REPO_ROOT, 'exchange', 'src', 'app', 'server.ts');

export interface DemoKey {
  readonly name: string;
  readonly userId: number;
  readonly apiKey: string;
  readonly secretKey: string;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** The settings of a test server on `dataDir`: free ports, no market maker. */
export function serverEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    BOURSE_DATA_DIR: dataDir,
    BOURSE_PORT: '0',
    BOURSE_ADMIN_PORT: '0',
    BOURSE_MARKET_MAKER: 'false',
    BOURSE_LOG_LEVEL: 'info',
    ...extra,
  };
}

const running = new Set<ServerProcess>();

/**
 * Kills every server a test started and left running (for an `after` hook): a test that failed
 * half-way must not leave one serving, whose pipes would also keep the test process alive.
 */
export function killLeftovers(): void {
  for (const server of running) server.child.kill('SIGKILL');
  running.clear();
}

export class ServerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Every JSON line of stdout, parsed. */
  readonly lines: Record<string, unknown>[] = [];
  stderr = '';
  readonly exited: Promise<Exit>;
  readonly #waiting: { accept: (line: Record<string, unknown>) => boolean }[] = [];

  /** `node server.ts <args>`, as `npm start -- <args>` runs it. */
  static start(dataDir: string, args: readonly string[] = [], env = serverEnv(dataDir)): ServerProcess {
    return new ServerProcess(
      spawn(process.execPath, ['--no-allocation-site-pretenuring', SERVER, ...args], { env }),
    );
  }

  constructor(child: ChildProcessWithoutNullStreams) {
    this.child = child;
    running.add(this);
    child.on('exit', () => running.delete(this));
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => setImmediate(() => resolve({ code, signal }))),
    );
    createInterface({ input: child.stdout }).on('line', (text) => {
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return;
      }
      this.lines.push(line);
      const index = this.#waiting.findIndex((waiter) => waiter.accept(line));
      if (index >= 0) this.#waiting.splice(index, 1);
    });
  }

  /** The first log line (already logged or still to come) whose msg is `msg`; rejects if the process exits first. */
  line(msg: string): Promise<Record<string, unknown>> {
    const seen = this.lines.find((l) => l.msg === msg);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.#waiting.push({
        accept: (line) => {
          if (line.msg !== msg) return false;
          resolve(line);
          return true;
        },
      });
      void this.exited.then((exit) =>
        reject(
          new Error(
            `the server exited (${exit.code ?? exit.signal}) before logging "${msg}": ${this.stderr}`,
          ),
        ),
      );
    });
  }

  /** The REST and admin URLs, once it listens. */
  async listening(): Promise<{ url: string; admin: string }> {
    const line = await this.line('listening');
    return { url: line.url as string, admin: line.admin as string };
  }

  /** The demo traders' keys a first start shows on stderr, once it has shown them. */
  async demoKeys(): Promise<DemoKey[]> {
    while (!/\n\s+REST \S+/.test(this.stderr)) {
      if (this.child.exitCode !== null) throw new Error(`the server exited: ${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const keys: DemoKey[] = [];
    const pattern = /^\s+(\S+)\s+userId (\d+)\n\s+API key\s+(\S+)\n\s+secret key\s+(\S+)/gm;
    for (const m of this.stderr.matchAll(pattern)) {
      keys.push({ name: m[1]!, userId: Number(m[2]), apiKey: m[3]!, secretKey: m[4]! });
    }
    return keys;
  }
}
