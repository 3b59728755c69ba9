/**
 * What `npm start` runs until the server lands: a short session on the engine alone, printed as the
 * events a client would see.
 */
import { formatAmount, parseAmount } from '../domain/amount.ts';
import type { Command, UnstampedCommand } from '../domain/commands.ts';
import type { EngineEvent } from '../domain/events.ts';
import { MatchingEngine } from '../engine/engine.ts';

const engine = new MatchingEngine();
let seq = 0;
const send = (command: UnstampedCommand): EngineEvent[] =>
  engine.apply({ ...command, seq: ++seq, ts: Date.now() } as Command);

const btc = (text: string) => parseAmount(text, 8);
const usdt = (text: string) => parseAmount(text, 6);

send({ type: 'AddAsset', asset: 'BTC', decimals: 8 });
send({ type: 'AddAsset', asset: 'USDT', decimals: 6 });
send({
  type: 'ListMarket',
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: usdt('0.01'),
  lotSize: btc('0.0001'),
  minQty: btc('0.0001'),
  maxQty: btc('1000'),
  minNotional: usdt('5'),
  makerFeePpm: 1000,
  takerFeePpm: 1000,
  defaultStpMode: 'EXPIRE_MAKER',
});
send({ type: 'Deposit', userId: 1, asset: 'USDT', amount: usdt('100000') });
send({ type: 'Deposit', userId: 2, asset: 'BTC', amount: btc('2') });

const describe = (e: EngineEvent): string => {
  switch (e.type) {
    case 'OrderAccepted':
      return `accepted #${e.orderId} ${e.side} ${formatAmount(e.quantity, 8)} BTC @ ${formatAmount(e.price, 6)}`;
    case 'Trade':
      return `trade ${formatAmount(e.quantity, 8)} BTC @ ${formatAmount(e.price, 6)} (fees ${e.takerFee}/${e.makerFee})`;
    case 'BalanceChanged':
      return `  user ${e.userId} ${e.asset}: available ${formatAmount(e.available, e.asset === 'BTC' ? 8 : 6)} locked ${formatAmount(e.locked, e.asset === 'BTC' ? 8 : 6)} (${e.reason})`;
    default:
      return e.type;
  }
};

const session: UnstampedCommand[] = [
  {
    type: 'PlaceOrder',
    userId: 2,
    symbol: 'BTCUSDT',
    side: 'SELL',
    orderType: 'LIMIT',
    timeInForce: 'GTC',
    price: usdt('30000'),
    quantity: btc('1'),
  },
  {
    type: 'PlaceOrder',
    userId: 1,
    symbol: 'BTCUSDT',
    side: 'BUY',
    orderType: 'LIMIT',
    timeInForce: 'GTC',
    price: usdt('30100'),
    quantity: btc('1.5'),
  },
  {
    type: 'PlaceOrder',
    userId: 1,
    symbol: 'BTCUSDT',
    side: 'BUY',
    orderType: 'LIMIT',
    timeInForce: 'GTC',
    price: usdt('30000.001'),
    quantity: btc('1'),
  },
];
for (const command of session) {
  console.log(`> ${JSON.stringify(command)}`);
  for (const event of send(command))
    console.log(event.type === 'Rejected' ? `rejected: ${event.reason}` : describe(event));
}
console.log(
  `state hash ${engine.stateHash()}; invariants ${engine.checkInvariants().length === 0 ? 'hold' : 'BROKEN'}`,
);
