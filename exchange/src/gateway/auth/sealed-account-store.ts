import { createSecretKey } from 'node:crypto';
import type { AccountRecords, KeyRow } from './account-records.ts';
import { checkPermissions, checkUserName, formatPermissions, parsePermissions } from './account-rules.ts';
import type {
  AccountStore,
  ApiKeyChange,
  ApiKeyEntry,
  NewApiKey,
  NewEd25519Key,
  UserRecord,
} from './account-store.ts';
import { KeyChangeListeners, verifyEntry } from './api-key-cache.ts';
import type { ApiKeyIdentity, ApiKeyPermission } from './api-key-lookup.ts';
import { randomToken, type SecretBox } from './secret-box.ts';
import { ed25519PublicKey } from './signatures.ts';

const NO_SECRET = new Uint8Array(0);

export interface SealedAccountStoreOptions {
  /**
   * How often the change log is read for keys changed by another process writing the same
   * database; changes made through this store are reported at once. 0 reads it never.
   * @default 1000
   */
  readonly changePollMs?: number;
  /** Told when reading the change log fails; the next period tries again. @default - none */
  readonly onPollError?: (error: unknown) => void;
}

/**
 * The account store's rules over any database's rows: names and permissions checked, HMAC secrets
 * sealed with AES-256-GCM (the master key stays outside the database, and each ciphertext is bound
 * to its API key), Ed25519 keys kept as canonical PEM, and every key change told to the listeners.
 * Writes are serialized, so a transaction never interleaves with another write of this store.
 */
export class SealedAccountStore implements AccountStore {
  readonly #records: AccountRecords;
  readonly #box: SecretBox;
  readonly #listeners = new KeyChangeListeners();
  #writes: Promise<unknown> = Promise.resolve();
  #seenChangeId: number;
  readonly #timer: NodeJS.Timeout | undefined;
  #polling = false;

  static async open(
    records: AccountRecords,
    box: SecretBox,
    options: SealedAccountStoreOptions = {},
  ): Promise<SealedAccountStore> {
    const pollMs = options.changePollMs ?? 1_000;
    if (!(Number.isSafeInteger(pollMs) && pollMs >= 0)) {
      throw new RangeError(`changePollMs ${pollMs} is invalid: use a whole number of ms >= 0`);
    }
    let store: SealedAccountStore | undefined;
    try {
      store = new SealedAccountStore(records, box, await records.lastChangeId(), pollMs, options.onPollError);
      // A key that does not decrypt (another master key) stops the start, not the first request.
      for (const row of await records.keys()) store.#entryOf(row);
      return store;
    } catch (error) {
      if (store !== undefined) clearInterval(store.#timer);
      await records.close();
      throw error;
    }
  }

  private constructor(
    records: AccountRecords,
    box: SecretBox,
    lastChangeId: number,
    pollMs: number,
    onPollError: ((error: unknown) => void) | undefined,
  ) {
    this.#records = records;
    this.#box = box;
    this.#seenChangeId = lastChangeId;
    if (pollMs > 0) {
      this.#timer = setInterval(() => {
        this.pollChanges().catch((error: unknown) => onPollError?.(error));
      }, pollMs);
      this.#timer.unref();
    }
  }

  async createUser(name: string, nowMs: number): Promise<number> {
    return this.#write(() => this.#createUser(this.#records, name, nowMs));
  }

  userByName(name: string): Promise<number | undefined> {
    return this.#records.userIdByName(name);
  }

  hasUser(userId: number): Promise<boolean> {
    return this.#records.hasUser(userId);
  }

  async createApiKey(
    userId: number,
    permissions: readonly ApiKeyPermission[],
    nowMs: number,
  ): Promise<NewApiKey> {
    const added = await this.#write(() => this.#createApiKey(this.#records, userId, permissions, nowMs));
    this.#emitNew(added.row);
    return added.key;
  }

  async registerEd25519Key(
    userId: number,
    permissions: readonly ApiKeyPermission[],
    publicKeyPem: string,
    nowMs: number,
  ): Promise<NewEd25519Key> {
    const added = await this.#write(() =>
      this.#registerEd25519Key(this.#records, userId, permissions, publicKeyPem, nowMs),
    );
    this.#emitNew(added.row);
    return added.key;
  }

  async createUserWithKey(
    name: string,
    permissions: readonly ApiKeyPermission[],
    publicKeyPem: string | undefined,
    nowMs: number,
  ): Promise<NewApiKey | NewEd25519Key> {
    const added = await this.#write(() =>
      this.#records.transaction(async (tx) => {
        const userId = await this.#createUser(tx, name, nowMs);
        return publicKeyPem === undefined
          ? this.#createApiKey(tx, userId, permissions, nowMs)
          : this.#registerEd25519Key(tx, userId, permissions, publicKeyPem, nowMs);
      }),
    );
    this.#emitNew(added.row);
    return added.key;
  }

  async setApiKeyPermissions(
    apiKey: string,
    permissions: readonly ApiKeyPermission[],
  ): Promise<ApiKeyPermission[]> {
    const unique = checkPermissions(permissions);
    const row = await this.#write(async () => {
      if (!(await this.#records.setPermissions(apiKey, formatPermissions(unique)))) {
        throw new RangeError(`API key ${apiKey} does not exist`);
      }
      return this.#records.key(apiKey);
    });
    this.#listeners.emit({ apiKey, entry: row === undefined ? undefined : this.#entryOf(row) });
    return unique;
  }

  async revokeApiKey(apiKey: string): Promise<boolean> {
    const revoked = await this.#write(() => this.#records.deleteKey(apiKey));
    this.#listeners.emit({ apiKey, entry: undefined });
    return revoked;
  }

  async users(): Promise<UserRecord[]> {
    const [users, keys] = await Promise.all([this.#records.users(), this.#records.keys()]);
    return users.map((u) => ({
      ...u,
      apiKeys: keys
        .filter((k) => k.userId === u.userId)
        .map((k) => ({ apiKey: k.apiKey, keyType: k.keyType, permissions: parsePermissions(k.permissions) })),
    }));
  }

  async identify(apiKey: string): Promise<ApiKeyIdentity | undefined> {
    const row = await this.#records.key(apiKey);
    return row === undefined ? undefined : identityOf(row);
  }

  async verifySignature(apiKey: string, payload: string, signature: string): Promise<boolean> {
    const row = await this.#records.key(apiKey);
    return row !== undefined && verifyEntry(this.#entryOf(row), payload, signature);
  }

  async apiKeyEntries(): Promise<ApiKeyEntry[]> {
    return (await this.#records.keys()).map((row) => this.#entryOf(row));
  }

  onKeyChange(listener: (change: ApiKeyChange) => void): () => void {
    return this.#listeners.add(listener);
  }

  /**
   * Reads the change log for keys another process changed, and tells the listeners each key's
   * state now. Runs every `changePollMs`; a call while one runs returns at once.
   */
  async pollChanges(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const changes = await this.#records.changesAfter(this.#seenChangeId);
      const changed = new Set<string>();
      for (const c of changes) changed.add(c.apiKey);
      for (const apiKey of changed) {
        const row = await this.#records.key(apiKey);
        this.#listeners.emit({ apiKey, entry: row === undefined ? undefined : this.#entryOf(row) });
      }
      const last = changes[changes.length - 1];
      if (last !== undefined) this.#seenChangeId = last.changeId;
    } finally {
      this.#polling = false;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#writes.catch(() => undefined);
    await this.#records.close();
  }

  /** Runs one write after the ones before it, whatever became of them. */
  #write<T>(body: () => Promise<T>): Promise<T> {
    const run = this.#writes.then(body, body);
    this.#writes = run.catch(() => undefined);
    return run;
  }

  async #createUser(records: AccountRecords, name: string, nowMs: number): Promise<number> {
    checkUserName(name);
    if ((await records.userIdByName(name)) !== undefined)
      throw new RangeError(`user name "${name}" is taken`);
    return records.insertUser(name, nowMs);
  }

  async #checkNewKey(
    records: AccountRecords,
    userId: number,
    permissions: readonly ApiKeyPermission[],
  ): Promise<ApiKeyPermission[]> {
    if (!(await records.hasUser(userId))) throw new RangeError(`user ${userId} does not exist`);
    return checkPermissions(permissions);
  }

  async #createApiKey(
    records: AccountRecords,
    userId: number,
    permissions: readonly ApiKeyPermission[],
    nowMs: number,
  ): Promise<{ row: KeyRow; key: NewApiKey }> {
    const unique = await this.#checkNewKey(records, userId, permissions);
    const apiKey = randomToken();
    const secretKey = randomToken();
    const sealed = this.#box.seal(secretKey, apiKey);
    const row: KeyRow = {
      apiKey,
      userId,
      permissions: formatPermissions(unique),
      keyType: 'HMAC',
      secretIv: sealed.iv,
      secretCt: sealed.ciphertext,
      secretTag: sealed.tag,
      publicKey: null,
      createdTs: nowMs,
    };
    await records.insertKey(row);
    return { row, key: { userId, apiKey, keyType: 'HMAC', secretKey, permissions: unique } };
  }

  async #registerEd25519Key(
    records: AccountRecords,
    userId: number,
    permissions: readonly ApiKeyPermission[],
    publicKeyPem: string,
    nowMs: number,
  ): Promise<{ row: KeyRow; key: NewEd25519Key }> {
    const unique = await this.#checkNewKey(records, userId, permissions);
    // Stored in a canonical form, whatever whitespace the user's file had.
    const pem = ed25519PublicKey(publicKeyPem).export({ type: 'spki', format: 'pem' }) as string;
    const apiKey = randomToken();
    const row: KeyRow = {
      apiKey,
      userId,
      permissions: formatPermissions(unique),
      keyType: 'ED25519',
      secretIv: NO_SECRET,
      secretCt: NO_SECRET,
      secretTag: NO_SECRET,
      publicKey: pem,
      createdTs: nowMs,
    };
    await records.insertKey(row);
    return { row, key: { userId, apiKey, keyType: 'ED25519', permissions: unique } };
  }

  #emitNew(row: KeyRow): void {
    this.#listeners.emit({ apiKey: row.apiKey, entry: this.#entryOf(row) });
  }

  /** Decrypts an HMAC secret or parses an Ed25519 key; throws if the sealed secret was altered. */
  #entryOf(row: KeyRow): ApiKeyEntry {
    const identity = identityOf(row);
    if (row.keyType === 'ED25519') return { identity, key: ed25519PublicKey(row.publicKey ?? '') };
    const secret = this.#box.open(
      { iv: row.secretIv, ciphertext: row.secretCt, tag: row.secretTag },
      row.apiKey,
    );
    return { identity, key: createSecretKey(Buffer.from(secret, 'utf8')) };
  }
}

function identityOf(row: KeyRow): ApiKeyIdentity {
  return {
    apiKey: row.apiKey,
    userId: row.userId,
    permissions: parsePermissions(row.permissions),
    keyType: row.keyType,
  };
}
