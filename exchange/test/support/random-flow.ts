import type { Side } from '../../src/domain/market.ts';
import { BTC_USDT, EventScript } from './event-script.ts';

export interface RandomFlowOptions {
  /** Commands after the setup (assets, market, deposits). */
  readonly commands: number;
  /** @default 20 */
  readonly users?: number;
  /** @default 1 */
  readonly seed?: number;
  /** Mean clock gap between commands; large gaps cross many candle buckets. @default 1000 */
  readonly meanGapMs?: number;
  /** Open orders above which the flow cancels instead of placing. @default 200 */
  readonly maxOpenOrders?: number;
}

/**
 * A reproducible random order flow on BTCUSDT: resting and crossing limit orders (some IOC),
 * cancels, rejections, deposits and withdrawals, from many users.
 */
export function randomFlow(options: RandomFlowOptions): EventScript {
  const random = mulberry32(options.seed ?? 1);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const users = options.users ?? 20;
  const meanGapMs = options.meanGapMs ?? 1000;
  const maxOpen = options.maxOpenOrders ?? 200;
  const script = new EventScript();
  script.addAsset('BTC', 8).addAsset('USDT', 6).listMarket(BTC_USDT);
  for (let user = 1; user <= users; user++) {
    script.deposit(user, 'BTC', 1_000 * 10 ** 8).deposit(user, 'USDT', 100_000_000 * 10 ** 6);
  }
  const open: number[] = [];
  let withdrawals = 0;
  const pending: string[] = [];
  for (let i = 0; i < options.commands; i++) {
    script.advance(Math.floor(random() * 2 * meanGapMs));
    const roll = random();
    const user = int(1, users);
    if (roll < 0.6 && open.length < maxOpen) {
      const side: Side = random() < 0.5 ? 'BUY' : 'SELL';
      const price = (3_000_000 + int(-200, 200)) * BTC_USDT.tickSize;
      const quantity = int(1, 100) * BTC_USDT.lotSize;
      const makers = script
        .openOrders(BTC_USDT.symbol, side === 'BUY' ? 'SELL' : 'BUY')
        .filter((o) => (side === 'BUY' ? o.price <= price : o.price >= price))
        .sort((a, b) => (side === 'BUY' ? a.price - b.price : b.price - a.price) || a.orderId - b.orderId)
        .map((o) => o.orderId);
      const timeInForce = random() < 0.1 ? 'IOC' : 'GTC';
      script.limit(user, BTC_USDT.symbol, side, price, quantity, { timeInForce, against: makers });
      open.length = 0;
      for (const s of ['BUY', 'SELL'] as const) {
        for (const o of script.openOrders(BTC_USDT.symbol, s)) open.push(o.orderId);
      }
    } else if (roll < 0.9 && open.length > 0) {
      const index = int(0, open.length - 1);
      script.cancel(open[index]!);
      open.splice(index, 1);
    } else if (roll < 0.94) {
      script.reject(user, BTC_USDT.symbol, 'INSUFFICIENT_BALANCE');
    } else if (roll < 0.96) {
      script.deposit(user, random() < 0.5 ? 'BTC' : 'USDT', int(1, 1_000_000));
    } else if (roll < 0.98 || pending.length === 0) {
      const id = `w${++withdrawals}`;
      script.requestWithdrawal(id, user, 'USDT', int(1, 1_000_000));
      pending.push(id);
    } else {
      const id = pending.shift()!;
      if (random() < 0.5) script.completeWithdrawal(id);
      else script.failWithdrawal(id);
    }
  }
  return script;
}

/** A small seeded PRNG, so a failing flow can be replayed from its seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
