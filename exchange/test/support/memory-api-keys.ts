import { createHmac, timingSafeEqual } from 'node:crypto';
import type {
  ApiKeyIdentity,
  ApiKeyLookup,
  ApiKeyPermission,
} from '../../src/gateway/auth/api-key-lookup.ts';

/** An in-memory ApiKeyLookup for tests: keys and secrets in a map, HMAC-SHA256 as Binance's. */
export class MemoryApiKeys implements ApiKeyLookup {
  private readonly keys = new Map<string, { identity: ApiKeyIdentity; secret: string }>();

  add(
    apiKey: string,
    secret: string,
    userId: number,
    permissions: ApiKeyPermission[] = ['READ', 'TRADE'],
  ): this {
    this.keys.set(apiKey, { identity: { apiKey, userId, permissions }, secret });
    return this;
  }

  identify(apiKey: string): ApiKeyIdentity | undefined {
    return this.keys.get(apiKey)?.identity;
  }

  verifySignature(apiKey: string, payload: string, signature: string): boolean {
    const entry = this.keys.get(apiKey);
    if (entry === undefined) return false;
    const expected = createHmac('sha256', entry.secret).update(payload).digest();
    const given = Buffer.from(signature, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

/** Signs WebSocket API params as a Binance client does: sorted name=value pairs, HMAC-SHA256, hex. */
export function signParams(
  params: Record<string, string | number>,
  secret: string,
): Record<string, string | number> {
  const payload = Object.keys(params)
    .sort()
    .map((name) => `${name}=${params[name]}`)
    .join('&');
  return { ...params, signature: createHmac('sha256', secret).update(payload).digest('hex') };
}
