import mysql, { type Pool, type PoolConnection } from 'mysql2/promise';
import { type CheckedMariaDbOptions, checkMariaDbOptions, type MariaDbOptions } from './mariadb-options.ts';

/**
 * Opens a pool on the adapter's database, creating the database first if it is missing. Numbers:
 * BIGINT columns come back as numbers (every amount is a safe integer), sums (DECIMAL) too.
 */
export async function openPool(options: MariaDbOptions, what?: string): Promise<Pool> {
  const checked = checkMariaDbOptions(options, what);
  const admin = await mysql.createConnection(connectionOptions(checked));
  try {
    await admin.query(
      `CREATE DATABASE IF NOT EXISTS \`${checked.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
    );
  } finally {
    await admin.end();
  }
  return mysql.createPool({
    ...connectionOptions(checked),
    database: checked.database,
    connectionLimit: checked.poolSize,
    maxIdle: checked.poolSize,
    enableKeepAlive: true,
  });
}

/**
 * A pool on a server without a default database, for a database that only replication creates (a
 * replica's copy of the trading database): statements name it themselves.
 */
export function openServerPool(options: MariaDbOptions, what?: string): Pool {
  const checked = checkMariaDbOptions(options, what);
  return mysql.createPool({
    ...connectionOptions(checked),
    connectionLimit: checked.poolSize,
    maxIdle: checked.poolSize,
    enableKeepAlive: true,
  });
}

/** A pool on a database that exists already and that this process only reads (a replica's copy). */
export function openExistingPool(options: MariaDbOptions, what?: string): Pool {
  const checked = checkMariaDbOptions(options, what);
  return mysql.createPool({
    ...connectionOptions(checked),
    database: checked.database,
    connectionLimit: checked.poolSize,
    maxIdle: checked.poolSize,
    enableKeepAlive: true,
  });
}

function connectionOptions(o: CheckedMariaDbOptions) {
  return {
    host: o.host,
    port: o.port,
    user: o.user,
    ...(o.password !== undefined && { password: o.password }),
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: true,
    ...(o.tls !== 'off' && { ssl: o.tls === 'on' ? { rejectUnauthorized: true } : { ca: o.tls.ca } }),
  };
}

/** Errors after which the same work may simply be tried again on a fresh connection. */
const TRANSIENT = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'PROTOCOL_CONNECTION_LOST',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  // The server is shutting down, or went away between statements.
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_QUERY_INTERRUPTED',
  'CR_SERVER_GONE_ERROR',
  'CR_SERVER_LOST',
]);

export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && TRANSIENT.has(code)) return true;
  return error instanceof Error && /closed state|Connection lost|connect ETIMEDOUT/.test(error.message);
}

export interface RetryOptions {
  /**
   * How long work is retried across connection losses before the error is given up to the caller.
   * @default 30000
   */
  readonly retryForMs?: number;
  /** Told of each transient failure that will be retried. @default - none */
  readonly onRetry?: (error: unknown, attempt: number) => void;
}

/**
 * Runs `body` on one pooled connection inside a transaction, and again on a fresh connection after
 * a transient failure (a lost connection, a deadlock), with a growing pause, for up to retryForMs.
 * `body` must be safe to run again: after a lost COMMIT it cannot know whether the first run
 * committed, so it must read what it depends on inside the transaction.
 */
export async function inTransaction<T>(
  pool: Pool,
  body: (connection: PoolConnection) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.retryForMs ?? 30_000);
  for (let attempt = 1; ; attempt++) {
    let connection: PoolConnection | undefined;
    try {
      connection = await pool.getConnection();
      await connection.query('START TRANSACTION');
      const result = await body(connection);
      await connection.query('COMMIT');
      connection.release();
      return result;
    } catch (error) {
      const transient = isTransient(error);
      if (connection !== undefined) {
        const rolledBack = await connection.query('ROLLBACK').then(
          () => true,
          () => false,
        );
        // A connection that failed under the transaction is not handed to anyone else.
        if (transient || !rolledBack) connection.destroy();
        else connection.release();
      }
      if (!transient || Date.now() >= deadline) throw error;
      options.onRetry?.(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** (attempt - 1), 1_000)));
    }
  }
}

/** Runs a read again after a transient failure, as `inTransaction` does, without a transaction. */
export async function withRetry<T>(body: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.retryForMs ?? 30_000);
  for (let attempt = 1; ; attempt++) {
    try {
      return await body();
    } catch (error) {
      if (!isTransient(error) || Date.now() >= deadline) throw error;
      options.onRetry?.(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** (attempt - 1), 1_000)));
    }
  }
}
