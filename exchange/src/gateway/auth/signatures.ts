import { createHmac, createPublicKey, type KeyObject, timingSafeEqual, verify } from 'node:crypto';

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
/** 64 signature bytes in standard base64: 86 characters and the '==' padding, which may be left off. */
const BASE64_ED25519 = /^[A-Za-z0-9+/]{86}(==)?$/;

/** Binance's HMAC rule: the hex HMAC-SHA256 of the payload, compared in constant time. */
export function verifyHmacHex(secret: KeyObject, payload: string, signature: string): boolean {
  if (!HEX_SHA256.test(signature)) return false;
  const expected = createHmac('sha256', secret).update(payload).digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

/**
 * Binance's Ed25519 rule: the base64 Ed25519 signature of the payload. A client that put the
 * signature in a query string or form body without percent-encoding it has its '+' read as a space
 * by form decoding; base64 has no spaces, so a space can only be such a '+'.
 */
export function verifyEd25519Base64(publicKey: KeyObject, payload: string, signature: string): boolean {
  const text = signature.indexOf(' ') === -1 ? signature : signature.replaceAll(' ', '+');
  if (!BASE64_ED25519.test(text)) return false;
  return verify(null, Buffer.from(payload, 'utf8'), publicKey, Buffer.from(text, 'base64'));
}

/**
 * An Ed25519 public key from its PEM (SPKI, `-----BEGIN PUBLIC KEY-----`), as Binance takes it.
 * Throws a RangeError saying what is wrong with the text.
 */
export function ed25519PublicKey(pem: string): KeyObject {
  const text = pem.trim();
  if (!text.startsWith('-----BEGIN PUBLIC KEY-----')) {
    throw new RangeError(
      'the public key must be PEM (SPKI), starting with "-----BEGIN PUBLIC KEY-----": ' +
        'generate one with `openssl genpkey -algorithm ed25519 -out private.pem` and ' +
        '`openssl pkey -in private.pem -pubout`',
    );
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: text, format: 'pem' });
  } catch (error) {
    throw new RangeError(`the public key is not valid PEM: ${(error as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new RangeError(
      `the public key is ${key.asymmetricKeyType ?? 'unknown'}: Bourse takes Ed25519 keys`,
    );
  }
  return key;
}
