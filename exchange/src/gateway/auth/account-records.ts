/**
 * What an account store keeps, row by row: the one part of a store that differs between databases.
 * SealedAccountStore applies the rules (names, permissions, sealing secrets, the change feed) on top,
 * so SQLite and MariaDB store the same rows the same way.
 */

export interface UserRow {
  readonly userId: number;
  readonly name: string;
  readonly createdTs: number;
}

/** An API key as stored: an HMAC secret only sealed (AES-256-GCM), an Ed25519 public key as PEM. */
export interface KeyRow {
  readonly apiKey: string;
  readonly userId: number;
  /** Comma-separated. */
  readonly permissions: string;
  readonly keyType: 'HMAC' | 'ED25519';
  /** Empty for an Ed25519 key: there is no secret to seal. */
  readonly secretIv: Uint8Array;
  readonly secretCt: Uint8Array;
  readonly secretTag: Uint8Array;
  /** Null for an HMAC key. */
  readonly publicKey: string | null;
  readonly createdTs: number;
}

/** One entry of the key change log: which key changed, in the order the changes committed. */
export interface KeyChangeRow {
  readonly changeId: number;
  readonly apiKey: string;
}

export interface AccountRecords {
  /** Runs `body` in one transaction: all its writes commit, or none. */
  transaction<T>(body: (records: AccountRecords) => Promise<T>): Promise<T>;
  /** The new user's id; ids count up from 1. */
  insertUser(name: string, createdTs: number): Promise<number>;
  userIdByName(name: string): Promise<number | undefined>;
  hasUser(userId: number): Promise<boolean>;
  users(): Promise<UserRow[]>;
  /** Each write of a key also appends its api key to the change log, in the same transaction. */
  insertKey(row: KeyRow): Promise<void>;
  /** False if there is no such key. */
  setPermissions(apiKey: string, permissions: string): Promise<boolean>;
  /** False if there is no such key. */
  deleteKey(apiKey: string): Promise<boolean>;
  key(apiKey: string): Promise<KeyRow | undefined>;
  /** By creation time. */
  keys(): Promise<KeyRow[]>;
  /** The change log after `changeId`, oldest first. */
  changesAfter(changeId: number): Promise<KeyChangeRow[]>;
  /** The newest change's id, 0 if none. */
  lastChangeId(): Promise<number>;
  close(): Promise<void>;
}
