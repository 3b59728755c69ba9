import type { Command, UnstampedCommand } from '../../src/domain/commands.ts';
import type { EngineEvent } from '../../src/domain/events.ts';
import type { MarketSpec } from '../../src/domain/market.ts';
import { MatchingEngine } from '../../src/engine/engine.ts';

/** BTC with 8 decimals quoted in USDT with 6: tick 0.01 USDT, lot 0.0001 BTC. */
export const BTCUSDT: MarketSpec = {
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: 10_000,
  lotSize: 10_000,
  minQty: 10_000,
  maxQty: 100_000_000_000,
  minNotional: 0,
  makerFeePpm: 0,
  takerFeePpm: 0,
  defaultStpMode: 'EXPIRE_MAKER',
};

/** Whole-unit helpers for readable tests: btc(1.5) is 1.5 BTC in satoshi, usdt(100) 100 USDT in micro. */
export const btc = (units: number): number => Math.round(units * 1e8);
export const usdt = (units: number): number => Math.round(units * 1e6);

/**
 * Drives an engine the way the sequencer will: stamps each command with the next sequence number and
 * a timestamp, and keeps every event.
 */
export class EngineDriver {
  engine = new MatchingEngine();
  seq = 0;
  ts = 1_700_000_000_000;
  readonly log: Command[] = [];
  readonly events: EngineEvent[] = [];

  send(command: UnstampedCommand): EngineEvent[] {
    this.seq++;
    this.ts += 1;
    const stamped = { ...command, seq: this.seq, ts: this.ts } as Command;
    this.log.push(stamped);
    const events = this.engine.apply(stamped);
    this.events.push(...events);
    return events;
  }

  /** BTC and USDT, and the BTCUSDT market with the given overrides. */
  static withMarket(overrides: Partial<MarketSpec> = {}): EngineDriver {
    const driver = new EngineDriver();
    driver.send({ type: 'AddAsset', asset: 'BTC', decimals: 8 });
    driver.send({ type: 'AddAsset', asset: 'USDT', decimals: 6 });
    driver.send({ type: 'ListMarket', ...BTCUSDT, ...overrides });
    return driver;
  }

  deposit(userId: number, asset: string, amount: number): void {
    this.send({ type: 'Deposit', userId, asset, amount });
  }

  balance(userId: number, asset: string): { available: number; locked: number } {
    const info = this.engine.assets.get(asset)!;
    const account = this.engine.balances.find(userId);
    return { available: account?.available[info.index] ?? 0, locked: account?.locked[info.index] ?? 0 };
  }
}

/** Sends a command that must be refused: one Rejected event with `reason`, and the state untouched. */
export function expectRejected(driver: EngineDriver, command: UnstampedCommand, reason: string): void {
  const before = JSON.stringify({ ...driver.engine.snapshot(), lastSeq: 0 });
  const events = driver.send(command);
  const after = JSON.stringify({ ...driver.engine.snapshot(), lastSeq: 0 });
  if (events.length !== 1 || events[0]?.type !== 'Rejected') {
    throw new Error(`expected one Rejected event, got ${JSON.stringify(events.map((e) => e.type))}`);
  }
  if (events[0].reason !== reason) throw new Error(`expected rejection ${reason}, got ${events[0].reason}`);
  if (before !== after) throw new Error('a rejected command changed the state');
}

export type EventOf<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;

export function eventsOfType<T extends EngineEvent['type']>(
  events: readonly EngineEvent[],
  type: T,
): EventOf<T>[] {
  return events.filter((e): e is EventOf<T> => e.type === type);
}

export function limit(
  userId: number,
  side: 'BUY' | 'SELL',
  price: number,
  quantity: number,
  extra: Partial<Omit<Extract<UnstampedCommand, { type: 'PlaceOrder' }>, 'type'>> = {},
): Extract<UnstampedCommand, { type: 'PlaceOrder' }> {
  return {
    type: 'PlaceOrder',
    userId,
    symbol: 'BTCUSDT',
    side,
    orderType: 'LIMIT',
    timeInForce: 'GTC',
    price,
    quantity,
    ...extra,
  };
}
