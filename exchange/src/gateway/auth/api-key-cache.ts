import type { AccountStore, ApiKeyChange, ApiKeyEntry } from './account-store.ts';
import type { ApiKeyIdentity, ApiKeyLookup } from './api-key-lookup.ts';
import { verifyEd25519Base64, verifyHmacHex } from './signatures.ts';

/**
 * Every API key in memory, so that identifying a request's key and checking its signature never
 * wait on the account store's database. Loaded once; the store's change feed then replaces or
 * drops each key that changes, so a revoked key is refused from the moment the store reports it.
 */
export class ApiKeyCache implements ApiKeyLookup {
  readonly #keys = new Map<string, ApiKeyEntry>();
  readonly #stop: () => void;

  static async load(store: AccountStore): Promise<ApiKeyCache> {
    // Subscribed before loading, so that a change made during the load is not missed; it may then
    // be applied twice, which sets the same entry again.
    const early: ApiKeyChange[] = [];
    let cache: ApiKeyCache | undefined;
    const stop = store.onKeyChange((change) => {
      if (cache === undefined) early.push(change);
      else cache.#apply(change);
    });
    const entries = await store.apiKeyEntries().catch((error: unknown) => {
      stop();
      throw error;
    });
    cache = new ApiKeyCache(entries, stop);
    for (const change of early) cache.#apply(change);
    return cache;
  }

  private constructor(entries: readonly ApiKeyEntry[], stop: () => void) {
    for (const entry of entries) this.#keys.set(entry.identity.apiKey, entry);
    this.#stop = stop;
  }

  get size(): number {
    return this.#keys.size;
  }

  identify(apiKey: string): ApiKeyIdentity | undefined {
    return this.#keys.get(apiKey)?.identity;
  }

  verifySignature(apiKey: string, payload: string, signature: string): boolean {
    const entry = this.#keys.get(apiKey);
    return entry !== undefined && verifyEntry(entry, payload, signature);
  }

  /** Stops following the store's changes. */
  close(): void {
    this.#stop();
  }

  #apply(change: ApiKeyChange): void {
    if (change.entry === undefined) this.#keys.delete(change.apiKey);
    else this.#keys.set(change.apiKey, change.entry);
  }
}

/** A signature checked by the key's type: HMAC-SHA256 hex, or Ed25519 base64. */
export function verifyEntry(entry: ApiKeyEntry, payload: string, signature: string): boolean {
  return entry.identity.keyType === 'ED25519'
    ? verifyEd25519Base64(entry.key, payload, signature)
    : verifyHmacHex(entry.key, payload, signature);
}

/** The listeners of a store's change feed, told in the order they subscribed. */
export class KeyChangeListeners {
  readonly #listeners = new Set<(change: ApiKeyChange) => void>();

  add(listener: (change: ApiKeyChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(change: ApiKeyChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}
