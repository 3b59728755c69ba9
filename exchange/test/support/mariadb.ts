import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import type { MariaDbOptions } from '../../src/runtime/mariadb/mariadb-options.ts';

/**
 * The machine's MariaDB, as the tests reach it (BOURSE_TEST_MARIADB_HOST/PORT/USER override the
 * defaults: 127.0.0.1:3306, root, no password). Each test database has the prefix `bourse_test_`,
 * the process id and a random tag, and is dropped by the test that made it.
 */
export const TEST_MARIADB = {
  host: process.env.BOURSE_TEST_MARIADB_HOST ?? '127.0.0.1',
  port: Number(process.env.BOURSE_TEST_MARIADB_PORT ?? 3306),
  user: process.env.BOURSE_TEST_MARIADB_USER ?? 'root',
} as const;

export function scratchDatabaseName(purpose: string): string {
  return `bourse_test_${purpose}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Options for a new scratch database (created by the adapter when it opens it). */
export function scratchDatabase(
  purpose: string,
  server: { host: string; port: number; user: string } = TEST_MARIADB,
): MariaDbOptions & { database: string } {
  return { ...server, database: scratchDatabaseName(purpose) };
}

export async function dropDatabase(options: {
  host?: string;
  port?: number;
  user?: string;
  database: string;
}): Promise<void> {
  const connection = await mysql.createConnection({
    host: options.host ?? TEST_MARIADB.host,
    port: options.port ?? TEST_MARIADB.port,
    user: options.user ?? TEST_MARIADB.user,
  });
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${options.database}\``);
  } finally {
    await connection.end();
  }
}
