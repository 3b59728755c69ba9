import type { ApiKeyLookup, ApiKeyPermission, ApiKeyType } from './api-key-lookup.ts';

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

/**
 * Users and their API keys, as administration sees them. Implementations keep secrets encrypted at
 * rest and hand them out once, at creation. User ids start at 1: 0 is the fee account.
 */
export interface AccountStore extends ApiKeyLookup {
  /** Throws a RangeError quoting the name if it is malformed or taken. */
  createUser(name: string, nowMs: number): number;
  userByName(name: string): number | undefined;
  hasUser(userId: number): boolean;
  /** An HMAC key with a fresh secret. Throws a RangeError if the user does not exist or a permission is unknown. */
  createApiKey(userId: number, permissions: readonly ApiKeyPermission[], nowMs: number): NewApiKey;
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
  ): NewEd25519Key;
  /**
   * A new user and its first key in one transaction: given a public key, an Ed25519 key, else an HMAC
   * key. Throws as `createUser` and the key's method do, and then leaves no user behind.
   */
  createUserWithKey(
    name: string,
    permissions: readonly ApiKeyPermission[],
    publicKeyPem: string | undefined,
    nowMs: number,
  ): NewApiKey | NewEd25519Key;
  /**
   * Replaces a key's permissions; requests signed with it are judged by the new ones at once.
   * Throws a RangeError if the key does not exist or a permission is unknown.
   */
  setApiKeyPermissions(apiKey: string, permissions: readonly ApiKeyPermission[]): ApiKeyPermission[];
  /** Deletes a key: every later request made with it is refused. False if there was no such key. */
  revokeApiKey(apiKey: string): boolean;
  users(): UserRecord[];
}
