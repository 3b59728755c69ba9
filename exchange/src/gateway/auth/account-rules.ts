import type { ApiKeyPermission } from './api-key-lookup.ts';

/** The rules every account store applies, whatever database holds the accounts. */

export const PERMISSIONS: readonly ApiKeyPermission[] = ['READ', 'TRADE'];
const USER_NAME = /^[A-Za-z0-9_.-]{1,32}$/;

/** Throws a RangeError quoting a malformed user name. */
export function checkUserName(name: string): void {
  if (!USER_NAME.test(name)) {
    throw new RangeError(`user name "${name}" is invalid: use 1 to 32 letters, digits, '_', '.' or '-'`);
  }
}

/** The permissions without repeats; throws a RangeError quoting an unknown one. */
export function checkPermissions(permissions: readonly ApiKeyPermission[]): ApiKeyPermission[] {
  for (const p of permissions) {
    if (!PERMISSIONS.includes(p)) throw new RangeError(`permission "${p}" is invalid: use READ or TRADE`);
  }
  return [...new Set(permissions)];
}

/** Permissions as stored: comma-separated. */
export function formatPermissions(permissions: readonly ApiKeyPermission[]): string {
  return permissions.join(',');
}

export function parsePermissions(text: string): ApiKeyPermission[] {
  return text === '' ? [] : (text.split(',') as ApiKeyPermission[]);
}
