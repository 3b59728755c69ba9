import type { KeyObject } from 'node:crypto';
import type { ApiKeyIdentity, ApiKeyPermission, ApiKeyType } from './api-key-lookup.ts';

export interface UserRecord {
  readonly userId: number;
  readonly name: string;
  readonly createdTs: number;
  readonly apiKeys: readonly {
    readonly apiKey: string;
    readonly keyType: ApiKeyType;
    readonly permissions: readonly ApiKeyPermission[];
  }[];
}

export interface NewApiKey {
  readonly userId: number;
  readonly apiKey: string;
  readonly keyType: 'HMAC';
  /** Shown once, when created; the store keeps it only encrypted. */
  readonly secretKey: string;
  readonly permissions: readonly ApiKeyPermission[];
}

/** An Ed25519 key: the user holds the private key, so there is no secret to show. */
export interface NewEd25519Key {
  readonly userId: number;
  readonly apiKey: string;
  readonly keyType: 'ED25519';
  readonly permissions: readonly ApiKeyPermission[];
}

/** A key as the gateway checks it: who it is, and the HMAC secret or Ed25519 public key. */
export interface ApiKeyEntry {
  readonly identity: ApiKeyIdentity;
  /** The decrypted HMAC secret or the Ed25519 public key, by `identity.keyType`; prints as nothing. */
  readonly key: KeyObject;
}

/** A key that changed: its new entry, or undefined once revoked. */
export interface ApiKeyChange {
  readonly apiKey: string;
  readonly entry: ApiKeyEntry | undefined;
}

/**
 * Users and their API keys, as administration sees them. Implementations keep secrets encrypted at
 * rest and hand them out once, at creation. User ids start at 1: 0 is the fee account.
 *
 * Async, because a networked database (the back-office MariaDB) sits behind it. The request path
 * never waits on it: the gateway checks signatures against an ApiKeyCache, which loads every key
 * once and is kept fresh by `onKeyChange`.
 */
export interface AccountStore {
  /** Throws a RangeError quoting the name if it is malformed or taken. */
  createUser(name: string, nowMs: number): Promise<number>;
  userByName(name: string): Promise<number | undefined>;
  hasUser(userId: number): Promise<boolean>;
  /** An HMAC key with a fresh secret. Throws a RangeError if the user does not exist or a permission is unknown. */
  createApiKey(userId: number, permissions: readonly ApiKeyPermission[], nowMs: number): Promise<NewApiKey>;
  /**
   * An Ed25519 key for the public key the user generated (PEM, SPKI), as Binance registers one.
   * Throws a RangeError if the user does not exist, a permission is unknown or the key is not an
   * Ed25519 public key.
   */
  registerEd25519Key(
    userId: number,
    permissions: readonly ApiKeyPermission[],
    publicKeyPem: string,
    nowMs: number,
  ): Promise<NewEd25519Key>;
  /**
   * A new user and its first key in one transaction: given a public key, an Ed25519 key, else an HMAC
   * key. Throws as `createUser` and the key's method do, and then leaves no user behind.
   */
  createUserWithKey(
    name: string,
    permissions: readonly ApiKeyPermission[],
    publicKeyPem: string | undefined,
    nowMs: number,
  ): Promise<NewApiKey | NewEd25519Key>;
  /**
   * Replaces a key's permissions; requests signed with it are judged by the new ones at once.
   * Throws a RangeError if the key does not exist or a permission is unknown.
   */
  setApiKeyPermissions(apiKey: string, permissions: readonly ApiKeyPermission[]): Promise<ApiKeyPermission[]>;
  /** Deletes a key: every later request made with it is refused. False if there was no such key. */
  revokeApiKey(apiKey: string): Promise<boolean>;
  users(): Promise<UserRecord[]>;

  /** Who a key belongs to, read from the store (the gateway asks its cache instead). */
  identify(apiKey: string): Promise<ApiKeyIdentity | undefined>;
  /** Checks a signature as ApiKeyLookup does, with the key read from the store. */
  verifySignature(apiKey: string, payload: string, signature: string): Promise<boolean>;

  /** Every key with its decrypted material, for a cache to load. */
  apiKeyEntries(): Promise<ApiKeyEntry[]>;
  /**
   * Tells `listener` of every key created, changed or revoked: through this store at once (before
   * the writing call resolves), and through any other process writing the same database within the
   * store's polling period, each with the key's state at that time (a poll may tell again a change
   * already told; applying a change twice gives the same state). Returns a function that stops the
   * listening.
   */
  onKeyChange(listener: (change: ApiKeyChange) => void): () => void;

  close(): Promise<void>;
}
