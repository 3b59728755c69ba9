import type { BalanceChanged } from '../domain/events.ts';
import type { LedgerAccount } from './read-model-rows.ts';

export interface PostingDraft {
  readonly userId: number;
  readonly account: LedgerAccount;
  readonly amount: number;
}

/**
 * Turns one BalanceChanged into double-entry postings.
 *
 * Each delta is a posting on the user's available or locked account. Deposits and completed
 * withdrawals cross the exchange's boundary, so they get a contra posting on the user's external
 * account and balance on their own. Locks, releases and withdrawal locks and failures move between
 * available and locked of one user, so their two deltas already cancel. TRADE and FEE changes
 * balance only together, across the events of their command (the engine guarantees that their
 * deltas per asset and command sum to zero), which is why a transaction is (seq, asset).
 */
export function postingsOf(change: BalanceChanged): PostingDraft[] {
  const postings: PostingDraft[] = [];
  if (change.availableDelta !== 0) {
    postings.push({ userId: change.userId, account: 'available', amount: change.availableDelta });
  }
  if (change.lockedDelta !== 0) {
    postings.push({ userId: change.userId, account: 'locked', amount: change.lockedDelta });
  }
  if (change.reason === 'DEPOSIT' || change.reason === 'WITHDRAWAL_COMPLETE') {
    const net = change.availableDelta + change.lockedDelta;
    if (net !== 0) postings.push({ userId: change.userId, account: 'external', amount: -net });
  }
  return postings;
}
