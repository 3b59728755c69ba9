import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { ensurePrivateFile } from '../../../runtime/owner-only.ts';
import type { AccountRecords, KeyChangeRow, KeyRow, UserRow } from '../account-records.ts';
import { SealedAccountStore, type SealedAccountStoreOptions } from '../sealed-account-store.ts';
import type { SecretBox } from '../secret-box.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  user_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_ts INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS api_keys (
  api_key TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(user_id),
  permissions TEXT NOT NULL,
  secret_iv BLOB NOT NULL,
  secret_ct BLOB NOT NULL,
  secret_tag BLOB NOT NULL,
  created_ts INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS api_key_changes (
  change_id INTEGER PRIMARY KEY AUTOINCREMENT,
  api_key TEXT NOT NULL
) STRICT;
`;

/**
 * Columns added after the first release, each with a default that keeps older rows meaning what
 * they meant: a database from before Ed25519 keys holds only HMAC keys. Ed25519 rows keep the
 * secret columns (NOT NULL since the first schema) as empty blobs: there is no secret to seal.
 */
const ADDED_COLUMNS: readonly { table: string; column: string; definition: string }[] = [
  { table: 'api_keys', column: 'key_type', definition: "TEXT NOT NULL DEFAULT 'HMAC'" },
  { table: 'api_keys', column: 'public_key', definition: 'TEXT' },
];

const KEY_COLUMNS = `api_key AS apiKey, user_id AS userId, permissions, key_type AS keyType,
  secret_iv AS secretIv, secret_ct AS secretCt, secret_tag AS secretTag, public_key AS publicKey,
  created_ts AS createdTs`;

/**
 * Users and their API keys in a small SQLite file of the data folder (the embedded mode's
 * back-office database). Secrets are sealed by SealedAccountStore before they reach it.
 */
export const SqliteAccountStore = {
  open(path: string, box: SecretBox, options: SealedAccountStoreOptions = {}): Promise<SealedAccountStore> {
    // Created owner-only before SQLite opens it; SQLite gives the -wal and -shm files the same mode.
    if (path !== ':memory:') ensurePrivateFile(path);
    return SealedAccountStore.open(new SqliteAccountRecords(new DatabaseSync(path)), box, options);
  },
};

class SqliteAccountRecords implements AccountRecords {
  readonly #db: DatabaseSync;
  readonly #insertUser: StatementSync;
  readonly #insertKey: StatementSync;
  readonly #logChange: StatementSync;
  readonly #key: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
    db.exec(SCHEMA);
    migrate(db);
    this.#insertUser = db.prepare('INSERT INTO users (name, created_ts) VALUES (?, ?) RETURNING user_id');
    this.#insertKey = db.prepare(
      `INSERT INTO api_keys (api_key, user_id, permissions, secret_iv, secret_ct, secret_tag, created_ts,
         key_type, public_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#logChange = db.prepare('INSERT INTO api_key_changes (api_key) VALUES (?)');
    this.#key = db.prepare(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE api_key = ?`);
  }

  async transaction<T>(body: (records: AccountRecords) => Promise<T>): Promise<T> {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = await body(this);
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  async insertUser(name: string, createdTs: number): Promise<number> {
    return (this.#insertUser.get(name, createdTs) as { user_id: number }).user_id;
  }

  async userIdByName(name: string): Promise<number | undefined> {
    const row = this.#db.prepare('SELECT user_id FROM users WHERE name = ?').get(name);
    return row?.user_id as number | undefined;
  }

  async hasUser(userId: number): Promise<boolean> {
    return this.#db.prepare('SELECT 1 FROM users WHERE user_id = ?').get(userId) !== undefined;
  }

  async users(): Promise<UserRow[]> {
    return this.#db
      .prepare('SELECT user_id AS userId, name, created_ts AS createdTs FROM users ORDER BY user_id')
      .all()
      .map((r) => ({ ...r }) as unknown as UserRow);
  }

  async insertKey(k: KeyRow): Promise<void> {
    this.#inTransaction(() => {
      this.#insertKey.run(
        k.apiKey,
        k.userId,
        k.permissions,
        k.secretIv,
        k.secretCt,
        k.secretTag,
        k.createdTs,
        k.keyType,
        k.publicKey,
      );
      this.#logChange.run(k.apiKey);
    });
  }

  async setPermissions(apiKey: string, permissions: string): Promise<boolean> {
    return this.#inTransaction(() => {
      const { changes } = this.#db
        .prepare('UPDATE api_keys SET permissions = ? WHERE api_key = ?')
        .run(permissions, apiKey);
      if (changes > 0) this.#logChange.run(apiKey);
      return changes > 0;
    });
  }

  async deleteKey(apiKey: string): Promise<boolean> {
    return this.#inTransaction(() => {
      const { changes } = this.#db.prepare('DELETE FROM api_keys WHERE api_key = ?').run(apiKey);
      if (changes > 0) this.#logChange.run(apiKey);
      return changes > 0;
    });
  }

  async key(apiKey: string): Promise<KeyRow | undefined> {
    const row = this.#key.get(apiKey);
    return row === undefined ? undefined : ({ ...row } as unknown as KeyRow);
  }

  async keys(): Promise<KeyRow[]> {
    return this.#db
      .prepare(`SELECT ${KEY_COLUMNS} FROM api_keys ORDER BY created_ts, api_key`)
      .all()
      .map((r) => ({ ...r }) as unknown as KeyRow);
  }

  async changesAfter(changeId: number): Promise<KeyChangeRow[]> {
    return this.#db
      .prepare(
        'SELECT change_id AS changeId, api_key AS apiKey FROM api_key_changes WHERE change_id > ? ORDER BY change_id',
      )
      .all(changeId)
      .map((r) => ({ ...r }) as unknown as KeyChangeRow);
  }

  async lastChangeId(): Promise<number> {
    return (this.#db.prepare('SELECT coalesce(max(change_id), 0) AS id FROM api_key_changes').get()?.id ??
      0) as number;
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }

  /** A write and its change-log row together: in the caller's transaction, or in one of their own. */
  #inTransaction<T>(body: () => T): T {
    if (this.#db.isTransaction) return body();
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = body();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }
}

/** Adds the columns a database from an older release lacks; a new database gets them the same way. */
function migrate(db: DatabaseSync): void {
  for (const { table, column, definition } of ADDED_COLUMNS) {
    const columns = db.prepare(`PRAGMA table_info(${table})`).all();
    if (!columns.some((c) => c.name === column)) {
      db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
    }
  }
}
