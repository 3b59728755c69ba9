/**
 * How every entry point (REST, the WebSocket API, listen keys) finds who an API key belongs to. The
 * store behind it keeps secrets encrypted at rest; this view hands out the decrypted secret only to
 * verify a signature, and nothing logs it.
 */
export type ApiKeyPermission = 'READ' | 'TRADE';

export interface ApiKeyIdentity {
  readonly apiKey: string;
  readonly userId: number;
  readonly permissions: readonly ApiKeyPermission[];
}

export interface ApiKeyLookup {
  identify(apiKey: string): ApiKeyIdentity | undefined;
  /** HMAC-SHA256 of `payload` with the key's secret, compared in constant time with the hex `signature`. */
  verifySignature(apiKey: string, payload: string, signature: string): boolean;
}
