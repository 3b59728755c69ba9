import type { CommandType } from '../domain/commands.ts';
import type { BalanceReason, EngineEvent } from '../domain/events.ts';
import type { RejectReason } from '../domain/reject-reason.ts';
import type { AssetInfo } from './assets.ts';
import type { Account, Balances } from './balances.ts';
import { isUserId } from './user-id.ts';

/**
 * The events of the command being applied, stamped with its seq and ts. Every part of the engine
 * reports through it, so events come out in causal order and every one carries its cause.
 */
export class Outcomes {
  out: EngineEvent[] = [];
  seq = 0;
  ts = 0;
  /**
   * False while replaying for state alone (recovery with no one to hand events to): the hot paths then
   * skip building their events, the rare ones push into a scratch array that is dropped. State changes
   * are the same either way, which the engine's tests check hash for hash.
   */
  recording = true;
  private readonly scratch: EngineEvent[] = [];
  private readonly balances: Balances;

  constructor(balances: Balances) {
    this.balances = balances;
  }

  /** Starts a command; returns the array its events go into. */
  begin(seq: number, ts: number, recording: boolean): EngineEvent[] {
    this.recording = recording;
    if (recording) {
      this.out = [];
    } else {
      this.scratch.length = 0;
      this.out = this.scratch;
    }
    this.seq = seq;
    this.ts = ts;
    return this.out;
  }

  /** Moves a balance and reports it. */
  change(
    account: Account,
    asset: AssetInfo,
    availableDelta: number,
    lockedDelta: number,
    reason: BalanceReason,
  ): void {
    this.balances.change(
      this.recording ? this.out : null,
      this.seq,
      this.ts,
      account,
      asset,
      availableDelta,
      lockedDelta,
      reason,
    );
  }

  /** Refuses the command: one Rejected event, and the caller changes nothing. */
  reject(
    command: CommandType,
    reason: RejectReason,
    userId: number,
    symbol: string,
    clientOrderId: string,
  ): void {
    if (!this.recording) return;
    this.out.push({
      type: 'Rejected',
      seq: this.seq,
      ts: this.ts,
      command,
      reason,
      userId: isUserId(userId) ? userId : 0,
      symbol,
      clientOrderId: typeof clientOrderId === 'string' ? clientOrderId : '',
    });
  }
}
