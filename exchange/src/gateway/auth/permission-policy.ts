import { errors } from '../binance/api-error.ts';
import type { ApiKeyIdentity, ApiKeyPermission } from './api-key-lookup.ts';

/** What an entry point asks of a key: Binance's security types that need one. */
export type KeyAccess = 'MARKET_DATA' | 'USER_STREAM' | 'USER_DATA' | 'TRADE';

export const PERMISSIONS: readonly ApiKeyPermission[] = ['READ', 'TRADE'];

/**
 * THE rule of what an API key may do, asked by every entry point: REST routes, the WebSocket API's
 * methods (session.logon, user data subscriptions), listen-key creation, and each delivery of user
 * data.
 *
 * On Binance every key can read ("Enable Reading" cannot be switched off), so every Bourse key holds
 * READ: `requirePermissions` refuses a key without it, at creation and at every change. A key that
 * lacks READ anyway (a release before this rule let permissions be empty) may do nothing at all,
 * not even open a listen key, until an operator gives it READ or revokes it.
 */
export function mayUse(identity: ApiKeyIdentity | undefined, access: KeyAccess): boolean {
  if (identity === undefined || !identity.permissions.includes('READ')) return false;
  return access !== 'TRADE' || identity.permissions.includes('TRADE');
}

/** -2015 (as Binance answers a key without the permission) unless the key may do `access`. */
export function authorize(identity: ApiKeyIdentity, access: KeyAccess): void {
  if (!mayUse(identity, access)) throw errors.rejectedKey();
}

/**
 * The permissions a key may be given, without repeats: READ and TRADE only, READ always among them.
 * Throws a RangeError quoting what is wrong and saying how to fix it.
 */
export function requirePermissions(permissions: readonly unknown[]): ApiKeyPermission[] {
  for (const p of permissions) {
    if (!PERMISSIONS.includes(p as ApiKeyPermission)) {
      throw new RangeError(`permission ${JSON.stringify(p)} is invalid: use READ or TRADE`);
    }
  }
  const unique = [...new Set(permissions as ApiKeyPermission[])];
  if (!unique.includes('READ')) {
    throw new RangeError(
      `permissions ${JSON.stringify(permissions)} lack READ: every API key can read, as on Binance ` +
        '(give READ, or READ,TRADE; to stop a key, revoke it)',
    );
  }
  return unique;
}
