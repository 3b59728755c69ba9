import { createHmac, createSecretKey, type KeyObject, sign } from 'node:crypto';
import type {
  ApiKeyIdentity,
  ApiKeyLookup,
  ApiKeyPermission,
} from '../../src/gateway/auth/api-key-lookup.ts';
import { verifyEd25519Base64, verifyHmacHex } from '../../src/gateway/auth/signatures.ts';

/** The key that checks signatures: the HMAC secret, or the Ed25519 public key. */
interface Entry {
  readonly identity: ApiKeyIdentity;
  readonly key: KeyObject;
}

/**
 * An in-memory ApiKeyLookup for tests: HMAC keys with their secrets and Ed25519 keys with their
 * public keys, checked by the same rules as the real store (signatures.ts).
 */
export class MemoryApiKeys implements ApiKeyLookup {
  private readonly keys = new Map<string, Entry>();

  add(
    apiKey: string,
    secret: string,
    userId: number,
    permissions: ApiKeyPermission[] = ['READ', 'TRADE'],
  ): this {
    this.keys.set(apiKey, {
      identity: { apiKey, userId, permissions, keyType: 'HMAC' },
      key: createSecretKey(Buffer.from(secret, 'utf8')),
    });
    return this;
  }

  addEd25519(
    apiKey: string,
    publicKey: KeyObject,
    userId: number,
    permissions: ApiKeyPermission[] = ['READ', 'TRADE'],
  ): this {
    this.keys.set(apiKey, { identity: { apiKey, userId, permissions, keyType: 'ED25519' }, key: publicKey });
    return this;
  }

  identify(apiKey: string): ApiKeyIdentity | undefined {
    return this.keys.get(apiKey)?.identity;
  }

  verifySignature(apiKey: string, payload: string, signature: string): boolean {
    const entry = this.keys.get(apiKey);
    if (entry === undefined) return false;
    return entry.identity.keyType === 'ED25519'
      ? verifyEd25519Base64(entry.key, payload, signature)
      : verifyHmacHex(entry.key, payload, signature);
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
  return { ...params, signature: signEd25519(payloadOf(params), privateKey) };
}

/** Binance's Ed25519 signature: base64 of the Ed25519 signature of the payload. */
export function signEd25519(payload: string, privateKey: KeyObject): string {
  return sign(null, Buffer.from(payload), privateKey).toString('base64');
}
