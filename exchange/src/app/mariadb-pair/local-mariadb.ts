import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';

const run = promisify(execFile);

export interface LocalMariaDbOptions {
  /** Holds data/, the socket, the pid file and error.log; created if missing. */
  readonly dir: string;
  readonly port: number;
  /** Unique per server of a replication topology. */
  readonly serverId: number;
  /** A replica refuses writes other than its replication thread's. @default false */
  readonly readOnly?: boolean;
}

/**
 * One mariadbd of the project's own: the machine's binary on its own port and data folder, with
 * the binary log on (ROW format, GTID strict mode, every commit synced), so that it can be a primary
 * that a replica follows, or a replica (which logs what it applies too). `mariadb-install-db`
 * creates the data folder at the first start. Root has no password and listens on 127.0.0.1 only.
 */
export class LocalMariaDb {
  readonly options: LocalMariaDbOptions;
  constructor(options: LocalMariaDbOptions) {
    this.options = options;
  }

  get dataDir(): string {
    return join(this.options.dir, 'data');
  }

  get pidFile(): string {
    return join(this.options.dir, 'mariadbd.pid');
  }

  get errorLog(): string {
    return join(this.options.dir, 'error.log');
  }

  /** Where mysql2 reaches it. */
  get connection() {
    return { host: '127.0.0.1', port: this.options.port, user: 'root' } as const;
  }

  /** Creates the data folder with `mariadb-install-db` unless it exists. */
  async init(): Promise<void> {
    if (existsSync(join(this.dataDir, 'mysql'))) return;
    mkdirSync(this.options.dir, { recursive: true });
    rmSync(this.dataDir, { recursive: true, force: true });
    try {
      await run('mariadb-install-db', [
        '--no-defaults',
        `--datadir=${this.dataDir}`,
        `--user=${userInfo().username}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
      ]);
    } catch (error) {
      throw new Error(
        `mariadb-install-db failed for ${this.dataDir} (is mariadb-server installed? ` +
          `\`which mariadbd mariadb-install-db\`): ${(error as Error).message}`,
      );
    }
  }

  /**
   * Starts mariadbd and waits until it answers. `detached` lets it outlive this process (the CLI);
   * otherwise it is this process's child, and `kill` can stop it without a clean shutdown.
   */
  async start(options: { detached?: boolean } = {}): Promise<void> {
    if ((await this.pid()) !== undefined) return;
    await this.init();
    const o = this.options;
    const args = [
      '--no-defaults',
      `--datadir=${this.dataDir}`,
      `--port=${o.port}`,
      '--bind-address=127.0.0.1',
      `--socket=${join(o.dir, 'mariadbd.sock')}`,
      `--pid-file=${this.pidFile}`,
      `--log-error=${this.errorLog}`,
      `--tmpdir=${this.options.dir}`,
      `--user=${userInfo().username}`,
      '--skip-name-resolve',
      `--server-id=${o.serverId}`,
      `--log-bin=${join(this.dataDir, 'binlog')}`,
      '--binlog-format=ROW',
      '--log-slave-updates=1',
      '--gtid-strict-mode=1',
      '--sync-binlog=1',
      '--innodb-flush-log-at-trx-commit=1',
      '--innodb-buffer-pool-size=128M',
      '--max-connections=200',
      ...(o.readOnly === true ? ['--read-only=1', '--skip-slave-start=0'] : []),
    ];
    const child = spawn('mariadbd', args, {
      detached: options.detached === true,
      stdio: 'ignore',
    });
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (error) => reject(new Error(`mariadbd did not start: ${error.message}`)));
      child.once('exit', (code, signal) =>
        reject(
          new Error(
            `mariadbd on port ${o.port} exited (${code ?? signal}) while starting; see ${this.errorLog}`,
          ),
        ),
      );
    });
    if (options.detached === true) child.unref();
    await Promise.race([this.#waitReady(), failed]);
    child.removeAllListeners('exit');
  }

  /** A clean shutdown: SHUTDOWN, then waits for the process to be gone. */
  async stop(): Promise<void> {
    const pid = await this.pid();
    if (pid === undefined) return;
    try {
      const c = await mysql.createConnection(this.connection);
      await c.query('SHUTDOWN').catch(() => undefined);
      await c.end().catch(() => undefined);
    } catch {
      process.kill(pid, 'SIGTERM');
    }
    await waitGone(pid);
  }

  /** Kills the server at once (SIGKILL), as a crash would: no clean shutdown, no flush. */
  async kill(): Promise<void> {
    const pid = await this.pid();
    if (pid === undefined) return;
    process.kill(pid, 'SIGKILL');
    await waitGone(pid);
  }

  /** The running server's pid, or undefined (a stale pid file counts as not running). */
  async pid(): Promise<number | undefined> {
    if (!existsSync(this.pidFile)) return undefined;
    const pid = Number(readFileSync(this.pidFile, 'utf8').trim());
    if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
    try {
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }

  async #waitReady(): Promise<void> {
    for (;;) {
      try {
        const c = await mysql.createConnection(this.connection);
        await c.end();
        if ((await this.pid()) !== undefined) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function waitGone(pid: number): Promise<void> {
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
