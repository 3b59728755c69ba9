import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { AccountStore, NewApiKey, UserRecord } from '../account-store.ts';
import type { ApiKeyIdentity, ApiKeyPermission } from '../api-key-lookup.ts';
import { randomToken, type SecretBox } from '../secret-box.ts';

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

export const PERMISSIONS: readonly ApiKeyPermission[] = ['READ', 'TRADE'];
const USER_NAME = /^[A-Za-z0-9_.-]{1,32}$/;

interface Entry {
  readonly identity: ApiKeyIdentity;
  readonly hmacKey: KeyObject;
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
    return new SqliteAccountStore(new DatabaseSync(path), box);
  }

  private constructor(db: DatabaseSync, box: SecretBox) {
    this.#db = db;
    this.#box = box;
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
    db.exec(SCHEMA);
    this.#insertUser = db.prepare('INSERT INTO users (name, created_ts) VALUES (?, ?) RETURNING user_id');
    this.#insertKey = db.prepare(
      `INSERT INTO api_keys (api_key, user_id, permissions, secret_iv, secret_ct, secret_tag, created_ts)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const row of db.prepare('SELECT * FROM api_keys').all()) {
      const apiKey = row.api_key as string;
      const secret = box.open(
        {
          iv: row.secret_iv as Uint8Array,
          ciphertext: row.secret_ct as Uint8Array,
          tag: row.secret_tag as Uint8Array,
        },
        apiKey,
      );
      this.#remember(apiKey, row.user_id as number, parsePermissions(row.permissions as string), secret);
    }
  }

  #remember(apiKey: string, userId: number, permissions: readonly ApiKeyPermission[], secret: string): void {
    this.#keys.set(apiKey, {
      identity: { apiKey, userId, permissions },
      hmacKey: createSecretKey(Buffer.from(secret, 'utf8')),
    });
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
    if (!this.hasUser(userId)) throw new RangeError(`user ${userId} does not exist`);
    for (const p of permissions) {
      if (!PERMISSIONS.includes(p)) throw new RangeError(`permission "${p}" is invalid: use READ or TRADE`);
    }
    const apiKey = randomToken();
    const secretKey = randomToken();
    const sealed = this.#box.seal(secretKey, apiKey);
    const unique = [...new Set(permissions)];
    this.#insertKey.run(apiKey, userId, unique.join(','), sealed.iv, sealed.ciphertext, sealed.tag, nowMs);
    this.#remember(apiKey, userId, unique, secretKey);
    return { userId, apiKey, secretKey, permissions: unique };
  }

  users(): UserRecord[] {
    const users = this.#db.prepare('SELECT user_id, name, created_ts FROM users ORDER BY user_id').all();
    const keys = this.#db
      .prepare('SELECT api_key, user_id, permissions FROM api_keys ORDER BY created_ts')
      .all();
    return users.map((u) => ({
      userId: u.user_id as number,
      name: u.name as string,
      createdTs: u.created_ts as number,
      apiKeys: keys
        .filter((k) => k.user_id === u.user_id)
        .map((k) => ({
          apiKey: k.api_key as string,
          permissions: parsePermissions(k.permissions as string),
        })),
    }));
  }

  identify(apiKey: string): ApiKeyIdentity | undefined {
    return this.#keys.get(apiKey)?.identity;
  }

  verifySignature(apiKey: string, payload: string, signature: string): boolean {
    const entry = this.#keys.get(apiKey);
    if (entry === undefined || signature.length !== 64 || !/^[0-9a-fA-F]{64}$/.test(signature)) return false;
    const expected = createHmac('sha256', entry.hmacKey).update(payload).digest();
    return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
  }

  close(): void {
    this.#db.close();
  }
}

function parsePermissions(text: string): ApiKeyPermission[] {
  return text === '' ? [] : (text.split(',') as ApiKeyPermission[]);
}
