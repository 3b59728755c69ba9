import type { ApiKeyIdentity, ApiKeyLookup } from '../auth/api-key-lookup.ts';
import { BinanceCode } from '../binance/api-error.ts';

/** A WebSocket API error: Binance's {code, msg} with the HTTP-like status of the reply. */
export class WsApiError extends Error {
  readonly code: number;
  readonly status: number;

  constructor(code: number, msg: string, status = 400) {
    super(msg);
    this.code = code;
    this.status = status;
  }
}

const MAX_RECV_WINDOW_MS = 60_000;
const DEFAULT_RECV_WINDOW_MS = 5_000;
/** Binance lets a timestamp run this far ahead of its clock. */
const MAX_AHEAD_MS = 1_000;

/**
 * Binance's WebSocket API signing: every parameter but `signature`, sorted by name, written as
 * name=value joined by '&', signed by the key's type: HMAC-SHA256 with the key's secret (hex), or
 * Ed25519 with the user's private key (base64), checked with the registered public key. The
 * timestamp must lie within recvWindow (default 5000 ms, at most 60000) before the server's time,
 * and no more than a second after it.
 */
export function verifySignedParams(
  params: Readonly<Record<string, unknown>>,
  apiKeys: ApiKeyLookup,
  nowMs: number,
): ApiKeyIdentity {
  const apiKey = params.apiKey;
  const signature = params.signature;
  const timestamp = params.timestamp;
  if (typeof apiKey !== 'string' || apiKey.length === 0) {
    throw new WsApiError(
      BinanceCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED,
      "Mandatory parameter 'apiKey' was not sent, was empty/null, or malformed.",
    );
  }
  if (typeof signature !== 'string' || signature.length === 0) {
    throw new WsApiError(
      BinanceCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED,
      "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
    );
  }
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp)) {
    throw new WsApiError(
      BinanceCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED,
      "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
    );
  }
  const recvWindow = params.recvWindow ?? DEFAULT_RECV_WINDOW_MS;
  if (typeof recvWindow !== 'number' || !(recvWindow > 0) || recvWindow > MAX_RECV_WINDOW_MS) {
    throw new WsApiError(
      BinanceCode.BAD_RECV_WINDOW,
      'Invalid value for recvWindow: it must be a number from 0 to 60000.',
    );
  }
  if (timestamp > nowMs + MAX_AHEAD_MS) {
    throw new WsApiError(
      BinanceCode.INVALID_TIMESTAMP,
      "Timestamp for this request was 1000ms ahead of the server's time.",
    );
  }
  if (nowMs - timestamp > recvWindow) {
    throw new WsApiError(
      BinanceCode.INVALID_TIMESTAMP,
      'Timestamp for this request is outside of the recvWindow.',
    );
  }
  const identity = apiKeys.identify(apiKey);
  if (identity === undefined) {
    throw new WsApiError(
      BinanceCode.REJECTED_MBX_KEY,
      'Invalid API-key, IP, or permissions for action.',
      401,
    );
  }
  const payload = Object.keys(params)
    .filter((name) => name !== 'signature')
    .sort()
    .map((name) => `${name}=${String(params[name])}`)
    .join('&');
  if (!apiKeys.verifySignature(apiKey, payload, signature)) {
    throw new WsApiError(BinanceCode.INVALID_SIGNATURE, 'Signature for this request is not valid.', 401);
  }
  return identity;
}
