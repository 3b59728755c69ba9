import type { ApiKeyIdentity, ApiKeyLookup } from '../auth/api-key-lookup.ts';
import { checkRequestTime } from '../auth/request-timing.ts';
import { errors } from '../binance/api-error.ts';
import type { Params } from '../binance/params.ts';

/**
 * Binance's WebSocket API signing: every parameter but `signature`, sorted by name, written as
 * name=value joined by '&' (each value as the client sent it, a number as JavaScript writes it),
 * signed by the key's type: HMAC-SHA256 with the key's secret (hex), or Ed25519 with the user's
 * private key (base64), checked with the registered public key. The timing rule is REST's.
 */
export function verifySignedParams(params: Params, apiKeys: ApiKeyLookup, nowMs: number): ApiKeyIdentity {
  checkRequestTime(params, nowMs);
  const apiKey = params.str('apiKey')!;
  const identity = apiKeys.identify(apiKey);
  if (identity === undefined) throw errors.rejectedKey();
  checkParamSignature(apiKeys, identity, params);
  return identity;
}

/** The signature check alone, for a key already identified (-1102 without one, -1022 if wrong). */
export function checkParamSignature(apiKeys: ApiKeyLookup, identity: ApiKeyIdentity, params: Params): void {
  const signature = params.str('signature');
  if (signature === undefined) throw errors.mandatory('signature');
  const payload = [...params.raw.keys()]
    .filter((name) => name !== 'signature')
    .sort()
    .map((name) => `${name}=${params.raw.get(name)}`)
    .join('&');
  if (!apiKeys.verifySignature(identity.apiKey, payload, signature)) throw errors.badSignature();
}
