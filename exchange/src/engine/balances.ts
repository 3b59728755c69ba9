import type { BalanceChanged, BalanceReason, EngineEvent } from '../domain/events.ts';
import type { AssetInfo } from './assets.ts';

/** One user's balances, indexed by asset index. Missing entries are zero. */
export class Account {
  readonly userId: number;
  readonly available: number[] = [];
  readonly locked: number[] = [];

  constructor(userId: number) {
    this.userId = userId;
  }
}

/**
 * Every balance in the exchange. Each mutation emits a BalanceChanged event, so the event stream alone
 * can rebuild every balance. Callers check sufficiency before mutating: a method here never lets a
 * balance go negative silently, it throws, because reaching that would be an engine bug.
 */
export class Balances {
  private readonly accounts = new Map<number, Account>();

  account(userId: number): Account {
    let account = this.accounts.get(userId);
    if (account === undefined) {
      account = new Account(userId);
      this.accounts.set(userId, account);
    }
    return account;
  }

  find(userId: number): Account | undefined {
    return this.accounts.get(userId);
  }

  all(): IterableIterator<Account> {
    return this.accounts.values();
  }

  available(userId: number, asset: AssetInfo): number {
    return this.accounts.get(userId)?.available[asset.index] ?? 0;
  }

  /** Applies deltas to available and locked, and reports it to `out` unless that is null. */
  change(
    out: EngineEvent[] | null,
    seq: number,
    ts: number,
    account: Account,
    asset: AssetInfo,
    availableDelta: number,
    lockedDelta: number,
    reason: BalanceReason,
  ): void {
    const i = asset.index;
    const available = (account.available[i] ?? 0) + availableDelta;
    const locked = (account.locked[i] ?? 0) + lockedDelta;
    if (available < 0 || locked < 0) {
      throw new Error(
        `balance invariant broken: user ${account.userId} ${asset.name} available ${available} locked ${locked} (${reason})`,
      );
    }
    account.available[i] = available;
    account.locked[i] = locked;
    if (out === null) return;
    const event: BalanceChanged = {
      type: 'BalanceChanged',
      seq,
      ts,
      userId: account.userId,
      asset: asset.name,
      availableDelta,
      lockedDelta,
      available,
      locked,
      reason,
    };
    out.push(event);
  }
}
