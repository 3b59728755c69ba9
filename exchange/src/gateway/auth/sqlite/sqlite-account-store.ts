import { createSecretKey, type KeyObject } from 'node:crypto';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { ensurePrivateFile } from '../../../runtime/owner-only.ts';
import type { AccountStore, NewApiKey, NewEd25519Key, UserRecord } from '../account-store.ts';
import type { ApiKeyIdentity, ApiKeyPermission, ApiKeyType } from '../api-key-lookup.ts';
import { requirePermissions } from '../permission-policy.ts';
import { randomToken, type SecretBox } from '../secret-box.ts';
import { ed25519PublicKey, verifyEd25519Base64, verifyHmacHex } from '../signatures.ts';

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

const NO_SECRET = new Uint8Array(0);

const USER_NAME = /^[A-Za-z0-9_.-]{1,32}$/;

interface Entry {
  readonly identity: ApiKeyIdentity;
  /** The HMAC secret or the Ed25519 public key, by `identity.keyType`. */
  readonly key: KeyObject;
}

/**
 * Users and their API keys in a small SQLite file of the data folder. Secrets are stored sealed with
 * AES-256-GCM; the decrypted secret lives only in memory, as a KeyObject that prints as nothing,
 * and is used only to verify signatures. User ids start at 1: 0 is the fee account.
 */
export class SqliteAccountStore implements AccountStore {
  readonly #db: DatabaseSync;
  readonly #box: SecretBox;
  readonly #keys = new Map<string, Entry>();
  readonly #insertUser: StatementSync;
  readonly #insertKey: StatementSync;

  static open(path: string, box: SecretBox): SqliteAccountStore {
    // Created owner-only before SQLite opens it; SQLite gives the -wal and -shm files the same mode.
    if (path !== ':memory:') ensurePrivateFile(path);
    return new SqliteAccountStore(new DatabaseSync(path), box);
  }

  private constructor(db: DatabaseSync, box: SecretBox) {
    this.#db = db;
    this.#box = box;
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
    db.exec(SCHEMA);
    migrate(db);
    this.#insertUser = db.prepare('INSERT INTO users (name, created_ts) VALUES (?, ?) RETURNING user_id');
    this.#insertKey = db.prepare(
      `INSERT INTO api_keys (api_key, user_id, permissions, secret_iv, secret_ct, secret_tag, created_ts,
         key_type, public_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const row of db.prepare('SELECT * FROM api_keys').all()) {
      const apiKey = row.api_key as string;
      const userId = row.user_id as number;
      const permissions = parsePermissions(row.permissions as string);
      if (row.key_type === 'ED25519') {
        this.#remember(apiKey, userId, permissions, 'ED25519', ed25519PublicKey(row.public_key as string));
        continue;
      }
      const secret = box.open(
        {
          iv: row.secret_iv as Uint8Array,
          ciphertext: row.secret_ct as Uint8Array,
          tag: row.secret_tag as Uint8Array,
        },
        apiKey,
      );
      this.#remember(apiKey, userId, permissions, 'HMAC', createSecretKey(Buffer.from(secret, 'utf8')));
    }
  }

  #remember(
    apiKey: string,
    userId: number,
    permissions: readonly ApiKeyPermission[],
    keyType: ApiKeyType,
    key: KeyObject,
  ): void {
    this.#keys.set(apiKey, { identity: { apiKey, userId, permissions, keyType }, key });
  }

  createUser(name: string, nowMs: number): number {
    if (!USER_NAME.test(name)) {
      throw new RangeError(`user name "${name}" is invalid: use 1 to 32 letters, digits, '_', '.' or '-'`);
    }
    if (this.userByName(name) !== undefined) throw new RangeError(`user name "${name}" is taken`);
    const row = this.#insertUser.get(name, nowMs) as { user_id: number };
    return row.user_id;
  }

  userByName(name: string): number | undefined {
    const row = this.#db.prepare('SELECT user_id FROM users WHERE name = ?').get(name) as
      | { user_id: number }
      | undefined;
    return row?.user_id;
  }

  hasUser(userId: number): boolean {
    return this.#db.prepare('SELECT 1 FROM users WHERE user_id = ?').get(userId) !== undefined;
  }

  createApiKey(userId: number, permissions: readonly ApiKeyPermission[], nowMs: number): NewApiKey {
    const unique = this.#checkNewKey(userId, permissions);
    const apiKey = randomToken();
    const secretKey = randomToken();
    const sealed = this.#box.seal(secretKey, apiKey);
    this.#insertKey.run(
      apiKey,
      userId,
      unique.join(','),
      sealed.iv,
      sealed.ciphertext,
      sealed.tag,
      nowMs,
      'HMAC',
      null,
    );
    this.#remember(apiKey, userId, unique, 'HMAC', createSecretKey(Buffer.from(secretKey, 'utf8')));
    return { userId, apiKey, keyType: 'HMAC', secretKey, permissions: unique };
  }

  registerEd25519Key(
    userId: number,
    permissions: readonly ApiKeyPermission[],
    publicKeyPem: string,
    nowMs: number,
  ): NewEd25519Key {
    const unique = this.#checkNewKey(userId, permissions);
    const publicKey = ed25519PublicKey(publicKeyPem);
    // Stored in a canonical form, whatever whitespace the user's file had.
    const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const apiKey = randomToken();
    this.#insertKey.run(
      apiKey,
      userId,
      unique.join(','),
      NO_SECRET,
      NO_SECRET,
      NO_SECRET,
      nowMs,
      'ED25519',
      pem,
    );
    this.#remember(apiKey, userId, unique, 'ED25519', publicKey);
    return { userId, apiKey, keyType: 'ED25519', permissions: unique };
  }

  createUserWithKey(
    name: string,
    permissions: readonly ApiKeyPermission[],
    publicKeyPem: string | undefined,
    nowMs: number,
  ): NewApiKey | NewEd25519Key {
    this.#db.exec('BEGIN IMMEDIATE');
    let added: NewApiKey | NewEd25519Key | undefined;
    try {
      const userId = this.createUser(name, nowMs);
      added =
        publicKeyPem === undefined
          ? this.createApiKey(userId, permissions, nowMs)
          : this.registerEd25519Key(userId, permissions, publicKeyPem, nowMs);
      this.#db.exec('COMMIT');
      return added;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      if (added !== undefined) this.#keys.delete(added.apiKey);
      throw error;
    }
  }

  setApiKeyPermissions(apiKey: string, permissions: readonly ApiKeyPermission[]): ApiKeyPermission[] {
    const entry = this.#keys.get(apiKey);
    if (entry === undefined) throw new RangeError(`API key ${apiKey} does not exist`);
    const unique = requirePermissions(permissions);
    this.#db.prepare('UPDATE api_keys SET permissions = ? WHERE api_key = ?').run(unique.join(','), apiKey);
    const { identity, key } = entry;
    this.#remember(apiKey, identity.userId, unique, identity.keyType, key);
    return unique;
  }

  revokeApiKey(apiKey: string): boolean {
    const { changes } = this.#db.prepare('DELETE FROM api_keys WHERE api_key = ?').run(apiKey);
    this.#keys.delete(apiKey);
    return changes > 0;
  }

  #checkNewKey(userId: number, permissions: readonly ApiKeyPermission[]): ApiKeyPermission[] {
    if (!this.hasUser(userId)) throw new RangeError(`user ${userId} does not exist`);
    return requirePermissions(permissions);
  }

  users(): UserRecord[] {
    const users = this.#db.prepare('SELECT user_id, name, created_ts FROM users ORDER BY user_id').all();
    const keys = this.#db
      .prepare('SELECT api_key, user_id, permissions, key_type FROM api_keys ORDER BY created_ts')
      .all();
    return users.map((u) => ({
      userId: u.user_id as number,
      name: u.name as string,
      createdTs: u.created_ts as number,
      apiKeys: keys
        .filter((k) => k.user_id === u.user_id)
        .map((k) => ({
          apiKey: k.api_key as string,
          keyType: k.key_type as ApiKeyType,
          permissions: parsePermissions(k.permissions as string),
        })),
    }));
  }

  identify(apiKey: string): ApiKeyIdentity | undefined {
    return this.#keys.get(apiKey)?.identity;
  }

  verifySignature(apiKey: string, payload: string, signature: string): boolean {
    const entry = this.#keys.get(apiKey);
    if (entry === undefined) return false;
    return entry.identity.keyType === 'ED25519'
      ? verifyEd25519Base64(entry.key, payload, signature)
      : verifyHmacHex(entry.key, payload, signature);
  }

  close(): void {
    this.#db.close();
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

function parsePermissions(text: string): ApiKeyPermission[] {
  return text === '' ? [] : (text.split(',') as ApiKeyPermission[]);
}
