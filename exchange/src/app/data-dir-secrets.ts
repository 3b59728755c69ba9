import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Secrets that live in the data folder when configuration gives none: the master key that seals API
 * secrets and the admin token. Written once, owner-only (0600), never logged.
 */
export function masterKey(dataDir: string, configured: string | undefined): Buffer {
  if (configured !== undefined) return Buffer.from(configured, 'hex');
  const path = join(dataDir, 'master.key');
  if (existsSync(path)) {
    const text = readFileSync(path, 'utf8').trim();
    if (!/^[0-9a-fA-F]{64}$/.test(text))
      throw new Error(`${path} does not hold 64 hex digits: restore it from backup`);
    return Buffer.from(text, 'hex');
  }
  const key = randomBytes(32);
  writeFileSync(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

export const ADMIN_TOKEN_FILE = 'admin-token';

export function adminToken(
  dataDir: string,
  configured: string | undefined,
): { token: string; generated: boolean } {
  if (configured !== undefined) return { token: configured, generated: false };
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  if (existsSync(path)) return { token: readFileSync(path, 'utf8').trim(), generated: false };
  const token = randomBytes(24).toString('base64url');
  writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, generated: true };
}
