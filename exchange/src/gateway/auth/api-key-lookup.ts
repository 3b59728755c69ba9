/**
 * How every entry point (REST, the WebSocket API, listen keys) finds who an API key belongs to. The
 * store behind it keeps secrets encrypted at rest; this view hands out the decrypted secret only to
 * verify a signature, and nothing logs it.
 */
export type ApiKeyPermission = 'READ' | 'TRADE';

/**
 * Binance's key types that Bourse supports: HMAC (Bourse generates a shared secret) and Ed25519 (the
 * user generates a key pair and registers the public key; Bourse never sees the private key).
 */
export type ApiKeyType = 'HMAC' | 'ED25519';

export interface ApiKeyIdentity {
  readonly apiKey: string;
  readonly userId: number;
  readonly permissions: readonly ApiKeyPermission[];
  readonly keyType: ApiKeyType;
}

export interface ApiKeyLookup {
  identify(apiKey: string): ApiKeyIdentity | undefined;
  /**
   * Checks `signature` over `payload` by the key's type: for HMAC, the hex HMAC-SHA256 with the
   * key's secret, compared in constant time; for Ed25519, the base64 Ed25519 signature checked with
   * the registered public key.
   */
  verifySignature(apiKey: string, payload: string, signature: string): boolean;
}
