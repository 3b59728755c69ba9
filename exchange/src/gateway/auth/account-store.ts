import type { ApiKeyLookup, ApiKeyPermission } from './api-key-lookup.ts';

export interface UserRecord {
  readonly userId: number;
  readonly name: string;
  readonly createdTs: number;
  readonly apiKeys: readonly { readonly apiKey: string; readonly permissions: readonly ApiKeyPermission[] }[];
}

export interface NewApiKey {
  readonly userId: number;
  readonly apiKey: string;
  /** Shown once, when created; the store keeps it only encrypted. */
  readonly secretKey: string;
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
  /** Throws a RangeError if the user does not exist or a permission is unknown. */
  createApiKey(userId: number, permissions: readonly ApiKeyPermission[], nowMs: number): NewApiKey;
  users(): UserRecord[];
}
