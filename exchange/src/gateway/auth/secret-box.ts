import { createCipheriv, createDecipheriv, randomBytes, randomFillSync } from 'node:crypto';

/**
 * AES-256-GCM for secrets at rest. Each value gets a fresh 96-bit IV; the associated data binds a
 * ciphertext to its row (the API key), so a secret copied to another row fails to decrypt.
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) {
      throw new RangeError(`the master key has ${masterKey.length} bytes: AES-256 needs exactly 32`);
    }
    this.#key = masterKey;
  }

  seal(plaintext: string, associatedData: string): { iv: Buffer; ciphertext: Buffer; tag: Buffer } {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(associatedData));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { iv, ciphertext, tag: cipher.getAuthTag() };
  }

  /** Throws if the ciphertext, the tag or the associated data was altered, or the key is wrong. */
  open(sealed: { iv: Uint8Array; ciphertext: Uint8Array; tag: Uint8Array }, associatedData: string): string {
    const decipher = createDecipheriv('aes-256-gcm', this.#key, sealed.iv);
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
  }
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Random bytes drawn from the CSPRNG a few KiB at a time: every cancel answer carries a random id,
 * and one call into the CSPRNG per answer cost more than the id (the approach of randomUUID's cache).
 * Each byte is handed out once.
 */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let poolAt = POOL_BYTES;

/** A random alphanumeric string, as Binance's API keys and secrets are (64 characters). */
export function randomToken(length = 64): string {
  let out = '';
  while (out.length < length) {
    if (poolAt === POOL_BYTES) {
      randomFillSync(pool);
      poolAt = 0;
    }
    const byte = pool[poolAt]!;
    pool[poolAt++] = 0;
    // 248 = 4 * 62: rejecting bytes above it keeps every character equally likely.
    if (byte < 248) out += ALPHANUMERIC[byte % 62];
  }
  return out;
}
