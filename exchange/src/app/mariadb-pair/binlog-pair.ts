import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { LocalMariaDb } from './local-mariadb.ts';

export interface BinlogPairOptions {
  /** Holds primary/ and replica/. */
  readonly dir: string;
  readonly primaryPort: number;
  readonly replicaPort: number;
}

/** The replication account the replica connects with; local servers only, on 127.0.0.1. */
const REPLICATION_USER = 'bourse_repl';
const REPLICATION_PASSWORD = 'bourse-local-replication';

export interface ReplicaStatus {
  readonly ioRunning: boolean;
  readonly sqlRunning: boolean;
  /** MariaDB's own lag estimate; null while the replica is not connected. */
  readonly secondsBehindPrimary: number | null;
  readonly lastError: string;
  readonly gtidPosition: string;
}

/**
 * A primary and a replica of it through the binary log (ROW format, GTID), both the project's own
 * mariadbd on their own ports and data folders, as the cloud stack's analytics cluster replicates
 * the trading cluster. Why not the machine's MariaDB on 3306 as the primary: it runs without the
 * binary log (`log_bin` OFF), and turning it on needs its configuration and a restart that the
 * project does not own.
 */
export class BinlogPair {
  readonly primary: LocalMariaDb;
  readonly replica: LocalMariaDb;

  constructor(options: BinlogPairOptions) {
    this.primary = new LocalMariaDb({
      dir: join(options.dir, 'primary'),
      port: options.primaryPort,
      serverId: 1,
    });
    this.replica = new LocalMariaDb({
      dir: join(options.dir, 'replica'),
      port: options.replicaPort,
      serverId: 2,
      readOnly: true,
    });
  }

  /** Starts both (creating them at the first start) and the replication, if not yet running. */
  async start(options: { detached?: boolean } = {}): Promise<void> {
    // One after the other: two bootstraps at once collide in the shared temporary folder.
    await this.primary.init();
    await this.replica.init();
    await this.primary.start(options);
    await this.replica.start(options);
    await this.#ensureReplication();
  }

  async stop(): Promise<void> {
    await this.replica.stop();
    await this.primary.stop();
  }

  async status(): Promise<{
    readonly primary: { readonly port: number; readonly pid: number | undefined };
    readonly replica: { readonly port: number; readonly pid: number | undefined };
    readonly replication: ReplicaStatus | undefined;
  }> {
    const [primaryPid, replicaPid] = await Promise.all([this.primary.pid(), this.replica.pid()]);
    return {
      primary: { port: this.primary.options.port, pid: primaryPid },
      replica: { port: this.replica.options.port, pid: replicaPid },
      replication: replicaPid === undefined ? undefined : await replicaStatus(this.replica.connection),
    };
  }

  /** Creates the replication account and points the replica at the primary, once. */
  async #ensureReplication(): Promise<void> {
    const replica = await mysql.createConnection(this.replica.connection);
    try {
      const [rows] = await replica.query('SHOW SLAVE STATUS');
      if ((rows as unknown[]).length > 0) {
        await replica.query('START SLAVE');
        return;
      }
      const primary = await mysql.createConnection(this.primary.connection);
      try {
        await primary.query(`CREATE USER IF NOT EXISTS '${REPLICATION_USER}'@'127.0.0.1' IDENTIFIED BY ?`, [
          REPLICATION_PASSWORD,
        ]);
        await primary.query(`GRANT REPLICATION SLAVE ON *.* TO '${REPLICATION_USER}'@'127.0.0.1'`);
      } finally {
        await primary.end();
      }
      // From the primary's first binlog event: both servers start empty, so GTID position '' is exact.
      await replica.query("SET GLOBAL gtid_slave_pos = ''");
      await replica.query(
        `CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = ${this.primary.options.port},
          MASTER_USER = '${REPLICATION_USER}', MASTER_PASSWORD = '${REPLICATION_PASSWORD}',
          MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1`,
      );
      await replica.query('START SLAVE');
    } finally {
      await replica.end();
    }
  }
}

/** The replica's replication threads and position, from SHOW SLAVE STATUS; undefined if it is not a replica. */
export async function replicaStatus(connection: {
  host: string;
  port: number;
  user: string;
}): Promise<ReplicaStatus | undefined> {
  const c = await mysql.createConnection(connection);
  try {
    const [rows] = await c.query('SHOW SLAVE STATUS');
    const row = (rows as Record<string, unknown>[])[0];
    if (row === undefined) return undefined;
    const lag = row.Seconds_Behind_Master;
    return {
      ioRunning: row.Slave_IO_Running === 'Yes',
      sqlRunning: row.Slave_SQL_Running === 'Yes',
      secondsBehindPrimary: lag === null || lag === undefined ? null : Number(lag),
      lastError: String(row.Last_IO_Error || row.Last_SQL_Error || ''),
      gtidPosition: String(row.Gtid_IO_Pos ?? ''),
    };
  } finally {
    await c.end();
  }
}
