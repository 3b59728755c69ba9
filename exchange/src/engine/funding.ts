import { isAmount } from '../domain/amount.ts';
import type { CompleteWithdrawal, Deposit, FailWithdrawal, RequestWithdrawal } from '../domain/commands.ts';
import { RejectReason } from '../domain/reject-reason.ts';
import type { AssetInfo } from './assets.ts';
import type { MatchingEngine } from './engine.ts';
import type { Outcomes } from './outcomes.ts';
import { isUserId } from './user-id.ts';

/** Deposits, and withdrawals that lock funds until they complete (leave) or fail (come back). */
export interface PendingWithdrawal {
  readonly withdrawalId: string;
  readonly userId: number;
  readonly asset: AssetInfo;
  readonly amount: number;
}

export function deposit(engine: MatchingEngine, o: Outcomes, command: Deposit): void {
  const { userId, amount } = command;
  if (!isUserId(userId)) return o.reject('Deposit', RejectReason.INVALID_USER, 0, '', '');
  const asset = engine.assets.get(command.asset);
  if (asset === undefined) return o.reject('Deposit', RejectReason.UNKNOWN_ASSET, userId, '', '');
  if (!isAmount(amount) || amount === 0)
    return o.reject('Deposit', RejectReason.INVALID_AMOUNT, userId, '', '');
  // The supply cap is what keeps every balance, and every sum of balances, a safe integer.
  if (amount > Number.MAX_SAFE_INTEGER - asset.supply) {
    return o.reject('Deposit', RejectReason.SUPPLY_LIMIT, userId, '', '');
  }
  asset.supply += amount;
  o.change(engine.balances.account(userId), asset, amount, 0, 'DEPOSIT');
}

export function requestWithdrawal(engine: MatchingEngine, o: Outcomes, command: RequestWithdrawal): void {
  const { userId, amount, withdrawalId } = command;
  const reject = (reason: RejectReason) => o.reject('RequestWithdrawal', reason, userId, '', '');
  if (!isUserId(userId)) return reject(RejectReason.INVALID_USER);
  if (typeof withdrawalId !== 'string' || withdrawalId.length === 0 || withdrawalId.length > 64) {
    return reject(RejectReason.INVALID_COMMAND);
  }
  if (engine.withdrawals.has(withdrawalId)) return reject(RejectReason.DUPLICATE_WITHDRAWAL_ID);
  const asset = engine.assets.get(command.asset);
  if (asset === undefined) return reject(RejectReason.UNKNOWN_ASSET);
  if (!isAmount(amount) || amount === 0) return reject(RejectReason.INVALID_AMOUNT);
  if (engine.balances.available(userId, asset) < amount) return reject(RejectReason.INSUFFICIENT_BALANCE);
  engine.withdrawals.set(withdrawalId, { withdrawalId, userId, asset, amount });
  const { seq, ts } = o;
  o.out.push({ type: 'WithdrawalRequested', seq, ts, withdrawalId, userId, asset: asset.name, amount });
  o.change(engine.balances.account(userId), asset, -amount, amount, 'WITHDRAWAL_LOCK');
}

export function completeWithdrawal(engine: MatchingEngine, o: Outcomes, command: CompleteWithdrawal): void {
  const pending = engine.withdrawals.get(command.withdrawalId);
  if (pending === undefined)
    return o.reject('CompleteWithdrawal', RejectReason.UNKNOWN_WITHDRAWAL, 0, '', '');
  const { withdrawalId, userId, asset, amount } = pending;
  engine.withdrawals.delete(withdrawalId);
  asset.supply -= amount;
  const { seq, ts } = o;
  o.out.push({ type: 'WithdrawalCompleted', seq, ts, withdrawalId, userId, asset: asset.name, amount });
  o.change(engine.balances.account(userId), asset, 0, -amount, 'WITHDRAWAL_COMPLETE');
}

export function failWithdrawal(engine: MatchingEngine, o: Outcomes, command: FailWithdrawal): void {
  const pending = engine.withdrawals.get(command.withdrawalId);
  if (pending === undefined) return o.reject('FailWithdrawal', RejectReason.UNKNOWN_WITHDRAWAL, 0, '', '');
  const { withdrawalId, userId, asset, amount } = pending;
  engine.withdrawals.delete(withdrawalId);
  const { seq, ts } = o;
  o.out.push({ type: 'WithdrawalFailed', seq, ts, withdrawalId, userId, asset: asset.name, amount });
  o.change(engine.balances.account(userId), asset, amount, -amount, 'WITHDRAWAL_FAIL');
}
