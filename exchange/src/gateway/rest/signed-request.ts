import type { ApiKeyIdentity, ApiKeyLookup } from '../auth/api-key-lookup.ts';
import { checkRequestTime } from '../auth/request-timing.ts';
import { errors } from '../binance/api-error.ts';
import type { Params } from '../binance/params.ts';

const API_KEY = /^[A-Za-z0-9]{1,128}$/;

/** The key's owner, or -2014 (malformed or missing key) / -2015 (unknown key). */
export function identify(keys: ApiKeyLookup, apiKey: string | undefined): ApiKeyIdentity {
  if (apiKey === undefined || !API_KEY.test(apiKey)) throw errors.badApiKeyFormat();
  const identity = keys.identify(apiKey);
  if (identity === undefined) throw errors.rejectedKey();
  return identity;
}

/**
 * Binance's SIGNED check: the timestamp within recvWindow, then the signature over the query string
 * concatenated with the body, each without its signature parameter, exactly as the client sent them:
 * hex HMAC-SHA256 for an HMAC key, base64 Ed25519 for an Ed25519 key. The signature parameter itself
 * arrives percent-decoded (a base64 '+', '/' or '=' is sent as %2B, %2F, %3D).
 */
export function verifySigned(
  keys: ApiKeyLookup,
  identity: ApiKeyIdentity,
  params: Params,
  rawQuery: string,
  rawBody: string,
  nowMs: number,
): void {
  checkRequestTime(params, nowMs);
  const signature = params.str('signature');
  if (signature === undefined) throw errors.mandatory('signature');
  const payload = withoutSignature(rawQuery) + withoutSignature(rawBody);
  if (!keys.verifySignature(identity.apiKey, payload, signature)) throw errors.badSignature();
}

function withoutSignature(raw: string): string {
  if (raw.indexOf('signature=') === -1) return raw;
  // The common case, the signature last and alone: one slice instead of a split and a join.
  const last = raw.lastIndexOf('&signature=');
  if (last !== -1 && raw.indexOf('&', last + 1) === -1 && !raw.startsWith('signature=')) {
    const head = raw.slice(0, last);
    if (head.indexOf('&signature=') === -1) return head;
  }
  return raw
    .split('&')
    .filter((pair) => !pair.startsWith('signature='))
    .join('&');
}
