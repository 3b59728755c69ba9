import { createHmac, type KeyObject, sign, timingSafeEqual, verify } from 'node:crypto';
import type {
  ApiKeyIdentity,
  ApiKeyLookup,
  ApiKeyPermission,
} from '../../src/gateway/auth/api-key-lookup.ts';

type Entry =
  | { identity: ApiKeyIdentity; secret: string }
  | { identity: ApiKeyIdentity; publicKey: KeyObject };

/**
 * An in-memory ApiKeyLookup for tests: HMAC keys with their secrets, checked with HMAC-SHA256 as
 * Binance's, and Ed25519 keys with their public keys, checked with base64 Ed25519 signatures.
 */
export class MemoryApiKeys implements ApiKeyLookup {
  private readonly keys = new Map<string, Entry>();

  add(
    apiKey: string,
    secret: string,
    userId: number,
    permissions: ApiKeyPermission[] = ['READ', 'TRADE'],
  ): this {
    this.keys.set(apiKey, { identity: { apiKey, userId, permissions, keyType: 'HMAC' }, secret });
    return this;
  }

  addEd25519(
    apiKey: string,
    publicKey: KeyObject,
    userId: number,
    permissions: ApiKeyPermission[] = ['READ', 'TRADE'],
  ): this {
    this.keys.set(apiKey, { identity: { apiKey, userId, permissions, keyType: 'ED25519' }, publicKey });
    return this;
  }

  identify(apiKey: string): ApiKeyIdentity | undefined {
    return this.keys.get(apiKey)?.identity;
  }

  verifySignature(apiKey: string, payload: string, signature: string): boolean {
    const entry = this.keys.get(apiKey);
    if (entry === undefined) return false;
    if ('publicKey' in entry) {
      return verify(null, Buffer.from(payload), entry.publicKey, Buffer.from(signature, 'base64'));
    }
    const expected = createHmac('sha256', entry.secret).update(payload).digest();
    const given = Buffer.from(signature, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

function payloadOf(params: Record<string, string | number>): string {
  return Object.keys(params)
    .sort()
    .map((name) => `${name}=${params[name]}`)
    .join('&');
}

/** Signs WebSocket API params as a Binance client does: sorted name=value pairs, HMAC-SHA256, hex. */
export function signParams(
  params: Record<string, string | number>,
  secret: string,
): Record<string, string | number> {
  return { ...params, signature: createHmac('sha256', secret).update(payloadOf(params)).digest('hex') };
}

/** The same payload signed with an Ed25519 private key, base64, as Binance's Ed25519 clients do. */
export function signParamsEd25519(
  params: Record<string, string | number>,
  privateKey: KeyObject,
): Record<string, string | number> {
  return { ...params, signature: sign(null, Buffer.from(payloadOf(params)), privateKey).toString('base64') };
}
