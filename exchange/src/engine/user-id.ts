import { FEE_ACCOUNT_ID } from '../domain/market.ts';

/** Users are numbered from 1; 0 is the fee account, which no command may act for. */
export function isUserId(userId: unknown): userId is number {
  return Number.isSafeInteger(userId) && (userId as number) > FEE_ACCOUNT_ID;
}
