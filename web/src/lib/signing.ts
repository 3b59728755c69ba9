/**
 * Request signing in the browser with WebCrypto. The secret is imported once into a non-extractable
 * CryptoKey and the text is dropped: page code can sign with the key but cannot read it back, and
 * nothing is written to storage, so the key is gone when the tab is closed or reloaded.
 */

export type KeyKind = 'HMAC' | 'Ed25519';

export interface Credentials {
  readonly apiKey: string;
  readonly kind: KeyKind;
  /** Binance's `signature` parameter for this payload (hex for HMAC-SHA256, base64 for Ed25519). */
  sign(payload: string): Promise<string>;
}

const encoder = new TextEncoder();

export async function hmacCredentials(apiKey: string, secret: string): Promise<Credentials> {
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return {
    apiKey,
    kind: 'HMAC',
    sign: async (payload) => toHex(await crypto.subtle.sign('HMAC', key, encoder.encode(payload))),
  };
}

/** `privateKeyPem` is a PKCS #8 PEM ("-----BEGIN PRIVATE KEY-----"), as `openssl genpkey -algorithm ed25519` writes. */
export async function ed25519Credentials(apiKey: string, privateKeyPem: string): Promise<Credentials> {
  const key = await crypto.subtle.importKey('pkcs8', pemBody(privateKeyPem), { name: 'Ed25519' }, false, [
    'sign',
  ]);
  return {
    apiKey,
    kind: 'Ed25519',
    sign: async (payload) => toBase64(await crypto.subtle.sign('Ed25519', key, encoder.encode(payload))),
  };
}

/** A secret that looks like a PEM private key is Ed25519; anything else is an HMAC secret. */
export function credentialsFor(apiKey: string, secret: string): Promise<Credentials> {
  return secret.includes('PRIVATE KEY')
    ? ed25519Credentials(apiKey, secret)
    : hmacCredentials(apiKey, secret);
}

function pemBody(pem: string): ArrayBuffer {
  const base64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

function toHex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

function toBase64(buffer: ArrayBuffer): string {
  let binary = '';
  for (const b of new Uint8Array(buffer)) binary += String.fromCharCode(b);
  return btoa(binary);
}
