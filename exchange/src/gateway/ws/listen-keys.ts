import { randomBytes } from 'node:crypto';

export interface ListenKeyOptions {
  /** A key not kept alive for this long expires, as Binance's do. @default 3_600_000 (60 minutes) */
  readonly ttlMs?: number;
  /** @default Date.now */
  readonly clock?: () => number;
}

interface Entry {
  readonly userId: number;
  /** The API key that created (or last re-created) it: its streams carry data while that key may. */
  apiKey: string;
  expiresAt: number;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Binance's listen keys are 60 alphanumeric characters. */
const KEY_LENGTH = 60;

function newKey(): string {
  // 62 letters: reject bytes >= 248 so that every letter is equally likely.
  let key = '';
  while (key.length < KEY_LENGTH) {
    for (const byte of randomBytes(KEY_LENGTH)) {
      if (byte < 248 && key.length < KEY_LENGTH) key += ALPHABET[byte % 62];
    }
  }
  return key;
}

export type ListenKeyExpiredListener = (listenKey: string, userId: number) => void;

/**
 * The listen keys of Binance's older user-data flow: POST /api/v3/userDataStream creates one (or
 * returns the user's live one, extended), PUT keeps it alive, DELETE closes it, and /ws/<listenKey>
 * streams the user's events while it lives. Keys live in memory: a restart ends them, and clients
 * (which keep them alive every 30 minutes or so) create new ones, as after a Binance expiry.
 */
export class ListenKeyRegistry {
  private readonly ttlMs: number;
  private readonly clock: () => number;
  private readonly keys = new Map<string, Entry>();
  private readonly byUser = new Map<number, string>();
  private readonly listeners = new Set<ListenKeyExpiredListener>();

  constructor(options: ListenKeyOptions = {}) {
    const ttlMs = options.ttlMs ?? 3_600_000;
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
      throw new RangeError(`ttlMs ${ttlMs} is invalid: use a positive number of milliseconds`);
    }
    this.ttlMs = ttlMs;
    this.clock = options.clock ?? Date.now;
  }

  /** The user's live key, extended, or a new one; `apiKey` is the key that asked. */
  create(userId: number, apiKey: string): string {
    const existing = this.byUser.get(userId);
    if (existing !== undefined && this.keepalive(existing, userId)) {
      this.keys.get(existing)!.apiKey = apiKey;
      return existing;
    }
    const key = newKey();
    this.keys.set(key, { userId, apiKey, expiresAt: this.clock() + this.ttlMs });
    this.byUser.set(userId, key);
    return key;
  }

  /** Extends the user's live key by the full ttl; false when it is unknown, expired or another's. */
  keepalive(listenKey: string, userId: number): boolean {
    const entry = this.live(listenKey);
    if (entry === undefined || entry.userId !== userId) return false;
    entry.expiresAt = this.clock() + this.ttlMs;
    return true;
  }

  /** Ends the user's key at once; its streams close. False when it was unknown, expired or another's. */
  close(listenKey: string, userId: number): boolean {
    const entry = this.live(listenKey);
    if (entry === undefined || entry.userId !== userId) return false;
    this.end(listenKey, entry);
    return true;
  }

  /** The user a live key belongs to, and the API key that created it. */
  resolve(listenKey: string): { readonly userId: number; readonly apiKey: string } | undefined {
    return this.live(listenKey);
  }

  /** Called for every key that ends, by expiry or close, so its streams can be told and closed. */
  onEnd(listener: ListenKeyExpiredListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ends every key past its expiry; the gateway calls this on a timer. */
  sweep(): void {
    const now = this.clock();
    for (const [key, entry] of this.keys) if (entry.expiresAt <= now) this.end(key, entry);
  }

  private live(listenKey: string): Entry | undefined {
    const entry = this.keys.get(listenKey);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.clock()) {
      this.end(listenKey, entry);
      return undefined;
    }
    return entry;
  }

  private end(listenKey: string, entry: Entry): void {
    this.keys.delete(listenKey);
    if (this.byUser.get(entry.userId) === listenKey) this.byUser.delete(entry.userId);
    for (const listener of this.listeners) listener(listenKey, entry.userId);
  }
}
