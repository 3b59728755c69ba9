import type { Command } from '../domain/commands.ts';
import type { EngineEvent } from '../domain/events.ts';
import { RejectReason } from '../domain/reject-reason.ts';
import { addAsset, haltMarket, listMarket, resumeAfterLoss, resumeMarket } from './administration.ts';
import { AssetRegistry } from './assets.ts';
import { Balances } from './balances.ts';
import {
  completeWithdrawal,
  deposit,
  failWithdrawal,
  type PendingWithdrawal,
  requestWithdrawal,
} from './funding.ts';
import { findInvariantViolations } from './invariants.ts';
import type { Market } from './market.ts';
import { Matcher } from './matcher.ts';
import { OpenOrders } from './open-orders.ts';
import { OrderEntry } from './order-entry.ts';
import { Outcomes } from './outcomes.ts';
import { sha256Hex } from './sha256.ts';
import { type EngineSnapshot, restoreInto, snapshotOf } from './snapshot.ts';
import { ConditionalOrders } from './trigger-book.ts';

/**
 * The exchange's state machine: markets, books, balances and pre-trade risk in one single-threaded
 * core, so a balance check and the fill it allows can never race. `apply` takes a stamped command and
 * returns its events; it reads no clock and does no I/O, so a log replays to byte-identical events.
 *
 * Business outcomes (including every rejection) are events. A thrown error is a fault: an invariant
 * broke, and the caller must stop rather than carry on with a state it cannot trust.
 */
export class MatchingEngine {
  readonly assets = new AssetRegistry();
  readonly balances = new Balances();
  readonly markets = new Map<string, Market>();
  readonly orders = new OpenOrders();
  readonly withdrawals = new Map<string, PendingWithdrawal>();
  /** Conditional orders waiting for a trade price to trigger them. */
  readonly conditional = new ConditionalOrders();
  lastSeq = 0;
  nextOrderId = 1;

  private readonly outcomes = new Outcomes(this.balances);
  private readonly entry = new OrderEntry(this, this.outcomes, new Matcher(this, this.outcomes));

  apply(command: Command): EngineEvent[] {
    return this.run(command, true);
  }

  /**
   * Applies a command for its effect on the state alone, building no events: how recovery replays a
   * log when nothing downstream needs the events again. The state ends up exactly as `apply` leaves it.
   */
  replay(command: Command): void {
    this.run(command, false);
  }

  private run(command: Command, recording: boolean): EngineEvent[] {
    if (!(command.seq > this.lastSeq)) {
      throw new Error(`command seq ${command.seq} is not after the last applied seq ${this.lastSeq}`);
    }
    const out = this.outcomes.begin(command.seq, command.ts, recording);
    const o = this.outcomes;
    this.lastSeq = command.seq;
    switch (command.type) {
      case 'PlaceOrder':
        this.entry.placeOrder(command);
        break;
      case 'CancelOrder':
        this.entry.cancelOrder(command);
        break;
      case 'CancelReplace':
        this.entry.cancelReplace(command);
        break;
      case 'CancelAllOrders':
        this.entry.cancelAllOrders(command);
        break;
      case 'Deposit':
        deposit(this, o, command);
        break;
      case 'RequestWithdrawal':
        requestWithdrawal(this, o, command);
        break;
      case 'CompleteWithdrawal':
        completeWithdrawal(this, o, command);
        break;
      case 'FailWithdrawal':
        failWithdrawal(this, o, command);
        break;
      case 'AddAsset':
        addAsset(this, o, command);
        break;
      case 'ListMarket':
        listMarket(this, o, command);
        break;
      case 'HaltMarket':
        haltMarket(this, o, command);
        break;
      case 'ResumeMarket':
        resumeMarket(this, o, command);
        break;
      case 'ResumeAfterLoss':
        resumeAfterLoss(this, o, command);
        break;
      default:
        o.reject((command as { type: Command['type'] }).type, RejectReason.INVALID_COMMAND, 0, '', '');
    }
    // Conditional orders trigger from the command's trade prices, in the order the trades happened.
    if (this.conditional.hasQueued) this.entry.workTriggered();
    return out;
  }

  /** The whole state, canonical: equal states give equal snapshots, byte for byte. */
  snapshot(): EngineSnapshot {
    return snapshotOf(this);
  }

  static restore(snapshot: EngineSnapshot): MatchingEngine {
    const engine = new MatchingEngine();
    restoreInto(engine, snapshot);
    return engine;
  }

  /** SHA-256 of the canonical snapshot. */
  stateHash(): string {
    return sha256Hex(JSON.stringify(this.snapshot()));
  }

  /** Every broken invariant, described; empty when the state is sound. */
  checkInvariants(): string[] {
    return findInvariantViolations(this);
  }
}
