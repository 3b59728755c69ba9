import type { Pool, PoolConnection } from 'mysql2/promise';
import { inTransaction, openPool, type RetryOptions, withRetry } from '../../../runtime/mariadb/connect.ts';
import type { MariaDbOptions } from '../../../runtime/mariadb/mariadb-options.ts';
import { type Migration, migrate } from '../../../runtime/mariadb/migrate.ts';
import type { AccountRecords, KeyChangeRow, KeyRow, UserRow } from '../account-records.ts';
import { SealedAccountStore, type SealedAccountStoreOptions } from '../sealed-account-store.ts';
import type { SecretBox } from '../secret-box.ts';

const TABLE = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';

/** The back-office schema, as versioned migrations (version n is MIGRATIONS[n - 1]). */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE IF NOT EXISTS users (
        user_id BIGINT AUTO_INCREMENT PRIMARY KEY,
        name VARCHAR(32) NOT NULL UNIQUE,
        created_ts BIGINT NOT NULL
      ) ${TABLE}`,
      // Secrets only sealed (AES-256-GCM); the master key is never in this database.
      `CREATE TABLE IF NOT EXISTS api_keys (
        api_key VARCHAR(128) PRIMARY KEY,
        user_id BIGINT NOT NULL,
        permissions VARCHAR(64) NOT NULL,
        key_type VARCHAR(8) NOT NULL,
        secret_iv VARBINARY(16) NOT NULL,
        secret_ct VARBINARY(256) NOT NULL,
        secret_tag VARBINARY(16) NOT NULL,
        public_key TEXT NULL,
        created_ts BIGINT NOT NULL,
        KEY api_keys_by_user (user_id, created_ts),
        CONSTRAINT api_keys_user FOREIGN KEY (user_id) REFERENCES users (user_id)
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS api_key_changes (
        change_id BIGINT AUTO_INCREMENT PRIMARY KEY,
        api_key VARCHAR(128) NOT NULL
      ) ${TABLE}`,
    ],
  },
];

const KEY_COLUMNS = `api_key AS apiKey, user_id AS userId, permissions, key_type AS keyType,
  secret_iv AS secretIv, secret_ct AS secretCt, secret_tag AS secretTag, public_key AS publicKey,
  created_ts AS createdTs`;

export interface MariaDbAccountStoreOptions extends MariaDbOptions, SealedAccountStoreOptions, RetryOptions {}

/**
 * Users and API keys in the back-office database on MariaDB, apart from the trading database, as
 * the cloud stack keeps them on their own Aurora cluster. Secrets are sealed by SealedAccountStore
 * before they reach it, with a master key that stays outside the database.
 */
export const MariaDbAccountStore = {
  async open(options: MariaDbAccountStoreOptions, box: SecretBox): Promise<SealedAccountStore> {
    const pool = await openPool(options, 'account store');
    try {
      await migrate(pool, `accounts.${options.database}`, MIGRATIONS);
    } catch (error) {
      await pool.end();
      throw error;
    }
    const retry: RetryOptions = {
      ...(options.retryForMs !== undefined && { retryForMs: options.retryForMs }),
      ...(options.onRetry !== undefined && { onRetry: options.onRetry }),
    };
    return SealedAccountStore.open(new MariaDbAccountRecords(pool, undefined, retry), box, options);
  },
};

type Row = Record<string, unknown>;

class MariaDbAccountRecords implements AccountRecords {
  readonly #pool: Pool;
  /** Set inside a transaction: every statement runs on its connection. */
  readonly #connection: PoolConnection | undefined;
  readonly #retry: RetryOptions;

  constructor(pool: Pool, connection: PoolConnection | undefined, retry: RetryOptions) {
    this.#pool = pool;
    this.#connection = connection;
    this.#retry = retry;
  }

  transaction<T>(body: (records: AccountRecords) => Promise<T>): Promise<T> {
    if (this.#connection !== undefined) return body(this);
    return inTransaction(
      this.#pool,
      (connection) => body(new MariaDbAccountRecords(this.#pool, connection, this.#retry)),
      this.#retry,
    );
  }

  async insertUser(name: string, createdTs: number): Promise<number> {
    const [result] = await this.#run('INSERT INTO users (name, created_ts) VALUES (?, ?)', [name, createdTs]);
    return (result as { insertId: number }).insertId;
  }

  async userIdByName(name: string): Promise<number | undefined> {
    return (await this.#rows('SELECT user_id AS userId FROM users WHERE name = ?', [name]))[0]?.userId as
      | number
      | undefined;
  }

  async hasUser(userId: number): Promise<boolean> {
    return (await this.#rows('SELECT 1 AS one FROM users WHERE user_id = ?', [userId])).length > 0;
  }

  async users(): Promise<UserRow[]> {
    return (await this.#rows(
      'SELECT user_id AS userId, name, created_ts AS createdTs FROM users ORDER BY user_id',
      [],
    )) as unknown as UserRow[];
  }

  insertKey(k: KeyRow): Promise<void> {
    return this.transaction(async (tx) => {
      const self = tx as MariaDbAccountRecords;
      await self.#run(
        `INSERT INTO api_keys (api_key, user_id, permissions, key_type, secret_iv, secret_ct, secret_tag,
           public_key, created_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          k.apiKey,
          k.userId,
          k.permissions,
          k.keyType,
          Buffer.from(k.secretIv),
          Buffer.from(k.secretCt),
          Buffer.from(k.secretTag),
          k.publicKey,
          k.createdTs,
        ],
      );
      await self.#logChange(k.apiKey);
    });
  }

  setPermissions(apiKey: string, permissions: string): Promise<boolean> {
    return this.transaction(async (tx) => {
      const self = tx as MariaDbAccountRecords;
      const [result] = await self.#run('UPDATE api_keys SET permissions = ? WHERE api_key = ?', [
        permissions,
        apiKey,
      ]);
      const found = (result as { affectedRows: number }).affectedRows > 0;
      if (found) await self.#logChange(apiKey);
      return found;
    });
  }

  deleteKey(apiKey: string): Promise<boolean> {
    return this.transaction(async (tx) => {
      const self = tx as MariaDbAccountRecords;
      const [result] = await self.#run('DELETE FROM api_keys WHERE api_key = ?', [apiKey]);
      const found = (result as { affectedRows: number }).affectedRows > 0;
      if (found) await self.#logChange(apiKey);
      return found;
    });
  }

  async key(apiKey: string): Promise<KeyRow | undefined> {
    return (await this.#rows(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE api_key = ?`, [apiKey]))[0] as
      | KeyRow
      | undefined;
  }

  async keys(): Promise<KeyRow[]> {
    return (await this.#rows(
      `SELECT ${KEY_COLUMNS} FROM api_keys ORDER BY created_ts, api_key`,
      [],
    )) as unknown as KeyRow[];
  }

  async changesAfter(changeId: number): Promise<KeyChangeRow[]> {
    return (await this.#rows(
      'SELECT change_id AS changeId, api_key AS apiKey FROM api_key_changes WHERE change_id > ? ORDER BY change_id',
      [changeId],
    )) as unknown as KeyChangeRow[];
  }

  async lastChangeId(): Promise<number> {
    return Number(
      (await this.#rows('SELECT coalesce(max(change_id), 0) AS id FROM api_key_changes', []))[0]?.id ?? 0,
    );
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #logChange(apiKey: string): Promise<void> {
    await this.#run('INSERT INTO api_key_changes (api_key) VALUES (?)', [apiKey]);
  }

  async #rows(sql: string, params: unknown[]): Promise<Row[]> {
    const [rows] = await this.#run(sql, params);
    return rows as Row[];
  }

  /** On the transaction's connection, or on the pool with a retry after a lost connection. */
  #run(sql: string, params: unknown[]) {
    const connection = this.#connection;
    if (connection !== undefined) return connection.execute(sql, params as never[]);
    return withRetry(() => this.#pool.execute(sql, params as never[]), this.#retry);
  }
}
