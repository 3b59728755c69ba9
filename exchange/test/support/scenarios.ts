import { BTC_USDT, EventScript } from './event-script.ts';

/** Whole USDT per BTC as BTCUSDT's price in minor units (USDT has 6 decimals). */
export const usdt = (whole: number): number => Math.round(whole * 10 ** 6);
/** Whole BTC in satoshis. */
export const btc = (whole: number): number => Math.round(whole * 10 ** 8);

/** The orders of the basic scenario, by role. */
export interface BasicScenario {
  readonly script: EventScript;
  readonly ask1: number;
  readonly ask2: number;
  readonly bid: number;
  readonly ask3: number;
  readonly restingBid: number;
  readonly ioc: number;
  readonly selfTraded: number;
}

/**
 * A day on a small exchange: listings, deposits, a taker sweeping two asks (one filled, one left
 * partial and later canceled), a bid left partially filled on the book, an IOC that expires, a maker
 * expired by self-trade prevention, a rejected order, withdrawals completed and failed, a halt.
 */
export function basicScenario(startTs = Date.UTC(2025, 0, 1, 12)): BasicScenario {
  const script = new EventScript({ startTs, stepMs: 1_000 });
  const s = BTC_USDT.symbol;
  script.addAsset('BTC', 8).addAsset('USDT', 6).listMarket(BTC_USDT);
  script.deposit(1, 'USDT', usdt(100_000)).deposit(2, 'BTC', btc(10)).deposit(3, 'BTC', btc(10));
  const ask1 = script.limit(2, s, 'SELL', usdt(30_000), btc(0.5), { clientOrderId: 'ask-1' });
  const ask2 = script.limit(3, s, 'SELL', usdt(30_010), btc(1));
  const bid = script.limit(1, s, 'BUY', usdt(30_020), btc(1), {
    clientOrderId: 'bid-1',
    against: [ask1, ask2],
  });
  script.cancel(ask2);
  const ask3 = script.limit(2, s, 'SELL', usdt(29_990), btc(0.2));
  const restingBid = script.limit(1, s, 'BUY', usdt(29_995), btc(1), { against: [ask3] });
  const ioc = script.limit(1, s, 'BUY', usdt(29_000), btc(0.1), { timeInForce: 'IOC' });
  const selfTraded = script.limit(2, s, 'SELL', usdt(31_000), btc(0.1));
  script.expire(selfTraded, 'SELF_TRADE');
  script.reject(1, s, 'INSUFFICIENT_BALANCE', 'too-big');
  script.requestWithdrawal('w1', 1, 'USDT', usdt(1_000)).completeWithdrawal('w1');
  script.requestWithdrawal('w2', 1, 'USDT', usdt(500)).failWithdrawal('w2');
  script.halt(s);
  return { script, ask1, ask2, bid, ask3, restingBid, ioc, selfTraded };
}
