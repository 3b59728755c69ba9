import type { ApiKeyPermission } from './api-key-lookup.ts';
import { requirePermissions } from './permission-policy.ts';

/** The rules every account store applies, whatever database holds the accounts. */

const USER_NAME = /^[A-Za-z0-9_.-]{1,32}$/;

/** Throws a RangeError quoting a malformed user name. */
export function checkUserName(name: string): void {
  if (!USER_NAME.test(name)) {
    throw new RangeError(`user name "${name}" is invalid: use 1 to 32 letters, digits, '_', '.' or '-'`);
  }
}

/**
 * The permissions without repeats; throws a RangeError quoting an unknown one, or a set without READ
 * (the permission policy's rule: every key can read, as on Binance).
 */
export function checkPermissions(permissions: readonly ApiKeyPermission[]): ApiKeyPermission[] {
  return requirePermissions(permissions);
}

/** Permissions as stored: comma-separated. */
export function formatPermissions(permissions: readonly ApiKeyPermission[]): string {
  return permissions.join(',');
}

export function parsePermissions(text: string): ApiKeyPermission[] {
  return text === '' ? [] : (text.split(',') as ApiKeyPermission[]);
}
