import { describe, it } from 'node:test';
import { BTCUSDT, btc, EngineDriver, expectRejected, limit, usdt } from '../../test/support/engine-driver.ts';
import type { UnstampedCommand } from '../domain/commands.ts';

/** Every rejection reason the engine has, each shown to change nothing. */
describe('rejections', () => {
  const funded = () => {
    const d = EngineDriver.withMarket({ minNotional: usdt(10), minQty: btc(0.001), maxQty: btc(100) });
    d.deposit(1, 'USDT', usdt(100_000));
    d.deposit(1, 'BTC', btc(10));
    d.deposit(2, 'USDT', usdt(100_000));
    d.deposit(2, 'BTC', btc(10));
    return d;
  };
  const order = (extra: Partial<Extract<UnstampedCommand, { type: 'PlaceOrder' }>>) =>
    limit(1, 'BUY', usdt(30_000), btc(0.01), extra);

  describe('administration', () => {
    it('refuses an asset twice, a bad asset name and bad decimals', () => {
      const d = funded();
      expectRejected(d, { type: 'AddAsset', asset: 'BTC', decimals: 8 }, 'ASSET_EXISTS');
      expectRejected(d, { type: 'AddAsset', asset: 'b t c', decimals: 8 }, 'INVALID_COMMAND');
      expectRejected(d, { type: 'AddAsset', asset: 'ETH', decimals: 19 }, 'INVALID_COMMAND');
      expectRejected(d, { type: 'AddAsset', asset: 'ETH', decimals: 1.5 }, 'INVALID_COMMAND');
    });

    it('refuses a market twice, on unknown assets, and with inexact notionals', () => {
      const d = funded();
      d.send({ type: 'AddAsset', asset: 'ETH', decimals: 8 });
      expectRejected(d, { type: 'ListMarket', ...BTCUSDT }, 'SYMBOL_EXISTS');
      expectRejected(d, { type: 'ListMarket', ...BTCUSDT, symbol: 'XRPUSDT', base: 'XRP' }, 'UNKNOWN_ASSET');
      // tick 0.01 USDT x lot 0.00001 BTC is 10^-7 USDT: finer than USDT's 6 decimals.
      const inexact = { ...BTCUSDT, symbol: 'ETHUSDT', base: 'ETH', lotSize: 1000, minQty: 1000 };
      expectRejected(d, { type: 'ListMarket', ...inexact }, 'INVALID_MARKET_CONFIG');
      const same = { ...BTCUSDT, symbol: 'ETHETH', base: 'ETH', quote: 'ETH' };
      expectRejected(d, { type: 'ListMarket', ...same }, 'INVALID_MARKET_CONFIG');
      const fee = { ...BTCUSDT, symbol: 'ETHUSDT', base: 'ETH', takerFeePpm: 1_000_000 };
      expectRejected(d, { type: 'ListMarket', ...fee }, 'INVALID_MARKET_CONFIG');
      const minAboveMax = { ...BTCUSDT, symbol: 'ETHUSDT', base: 'ETH', minQty: 20_000, maxQty: 10_000 };
      expectRejected(d, { type: 'ListMarket', ...minAboveMax }, 'INVALID_MARKET_CONFIG');
    });

    it('refuses to halt an unknown or halted market, and to resume a trading one', () => {
      const d = funded();
      expectRejected(d, { type: 'HaltMarket', symbol: 'NOPE' }, 'UNKNOWN_SYMBOL');
      expectRejected(d, { type: 'ResumeMarket', symbol: 'BTCUSDT' }, 'MARKET_NOT_HALTED');
      d.send({ type: 'HaltMarket', symbol: 'BTCUSDT' });
      expectRejected(d, { type: 'HaltMarket', symbol: 'BTCUSDT' }, 'MARKET_HALTED');
    });
  });

  describe('deposits and withdrawals', () => {
    it('refuses bad users, assets and amounts', () => {
      const d = funded();
      expectRejected(d, { type: 'Deposit', userId: 0, asset: 'BTC', amount: 1 }, 'INVALID_USER');
      expectRejected(d, { type: 'Deposit', userId: 1.5, asset: 'BTC', amount: 1 }, 'INVALID_USER');
      expectRejected(d, { type: 'Deposit', userId: 1, asset: 'DOGE', amount: 1 }, 'UNKNOWN_ASSET');
      expectRejected(d, { type: 'Deposit', userId: 1, asset: 'BTC', amount: 0 }, 'INVALID_AMOUNT');
      expectRejected(d, { type: 'Deposit', userId: 1, asset: 'BTC', amount: 0.5 }, 'INVALID_AMOUNT');
      expectRejected(d, { type: 'Deposit', userId: 1, asset: 'BTC', amount: -5 }, 'INVALID_AMOUNT');
    });

    it('caps an asset supply at 2^53 - 1 minor units, which keeps every sum exact', () => {
      const d = funded();
      const supply = d.engine.assets.get('BTC')!.supply;
      d.deposit(3, 'BTC', Number.MAX_SAFE_INTEGER - supply);
      expectRejected(d, { type: 'Deposit', userId: 4, asset: 'BTC', amount: 1 }, 'SUPPLY_LIMIT');
    });

    it('refuses a withdrawal beyond the available balance, twice the same id, and unknown ids', () => {
      const d = funded();
      const w = { type: 'RequestWithdrawal', withdrawalId: 'w1', userId: 1, asset: 'BTC' } as const;
      expectRejected(d, { ...w, amount: btc(10) + 1 }, 'INSUFFICIENT_BALANCE');
      expectRejected(d, { ...w, amount: 0 }, 'INVALID_AMOUNT');
      expectRejected(d, { ...w, withdrawalId: '', amount: 1 }, 'INVALID_COMMAND');
      expectRejected(d, { ...w, asset: 'DOGE', amount: 1 }, 'UNKNOWN_ASSET');
      d.send({ ...w, amount: btc(1) });
      expectRejected(d, { ...w, amount: btc(1) }, 'DUPLICATE_WITHDRAWAL_ID');
      expectRejected(d, { type: 'CompleteWithdrawal', withdrawalId: 'nope' }, 'UNKNOWN_WITHDRAWAL');
      expectRejected(d, { type: 'FailWithdrawal', withdrawalId: 'nope' }, 'UNKNOWN_WITHDRAWAL');
    });
  });

  describe('new orders', () => {
    it('refuses unknown symbols, halted markets and bad users', () => {
      const d = funded();
      expectRejected(d, order({ symbol: 'ETHUSDT' }), 'UNKNOWN_SYMBOL');
      expectRejected(d, order({ userId: 0 }), 'INVALID_USER');
      d.send({ type: 'HaltMarket', symbol: 'BTCUSDT' });
      expectRejected(d, order({}), 'MARKET_HALTED');
    });

    it('applies the price filter', () => {
      const d = funded();
      expectRejected(d, order({ price: usdt(30_000) + 1 }), 'PRICE_NOT_ON_TICK');
      expectRejected(d, order({ price: 0 }), 'INVALID_PRICE');
      expectRejected(d, order({ price: -10_000 }), 'INVALID_PRICE');
      expectRejected(d, order({ price: undefined }), 'INVALID_PRICE');
    });

    it('applies the lot size filter', () => {
      const d = funded();
      expectRejected(d, order({ quantity: btc(0.01) + 1 }), 'QUANTITY_NOT_ON_LOT');
      expectRejected(d, order({ quantity: 0 }), 'INVALID_QUANTITY');
      expectRejected(d, order({ quantity: btc(0.0009) }), 'QUANTITY_BELOW_MIN');
      expectRejected(d, order({ quantity: btc(101) }), 'QUANTITY_ABOVE_MAX');
      expectRejected(d, order({ quoteOrderQty: usdt(100) }), 'INVALID_QUANTITY');
    });

    it('applies the notional filter', () => {
      const d = funded();
      expectRejected(d, order({ price: usdt(100), quantity: btc(0.001) }), 'BELOW_MIN_NOTIONAL');
      const market = {
        type: 'PlaceOrder',
        userId: 1,
        symbol: 'BTCUSDT',
        side: 'BUY',
        orderType: 'MARKET',
      } as const;
      expectRejected(d, { ...market, quoteOrderQty: usdt(5) }, 'BELOW_MIN_NOTIONAL');
    });

    it('checks the shape of each order type', () => {
      const d = funded();
      expectRejected(d, order({ timeInForce: undefined }), 'INVALID_TIME_IN_FORCE');
      expectRejected(d, order({ timeInForce: 'GTX' as never }), 'INVALID_TIME_IN_FORCE');
      expectRejected(d, order({ orderType: 'LIMIT_MAKER', timeInForce: 'IOC' }), 'INVALID_TIME_IN_FORCE');
      expectRejected(d, order({ orderType: 'TRAILING_STOP_MARKET' as never }), 'INVALID_ORDER_TYPE');
      expectRejected(d, order({ orderType: 'STOP_LOSS', stopPrice: usdt(1) }), 'INVALID_PRICE');
      expectRejected(d, order({ side: 'HOLD' as never }), 'INVALID_COMMAND');
      expectRejected(d, order({ stpMode: 'SOMETIMES' as never }), 'INVALID_STP_MODE');
      const market = {
        type: 'PlaceOrder',
        userId: 1,
        symbol: 'BTCUSDT',
        side: 'BUY',
        orderType: 'MARKET',
      } as const;
      expectRejected(d, { ...market, quantity: btc(1), price: usdt(1) }, 'INVALID_PRICE');
      expectRejected(d, { ...market, quantity: btc(1), timeInForce: 'GTC' }, 'INVALID_TIME_IN_FORCE');
      expectRejected(d, { ...market }, 'INVALID_QUANTITY');
      expectRejected(d, { ...market, quantity: btc(1), quoteOrderQty: usdt(100) }, 'INVALID_QUANTITY');
      expectRejected(d, { ...market, quoteOrderQty: 0 }, 'INVALID_QUANTITY');
    });

    it('checks client order ids: their form, the reserved prefix, and uniqueness among open orders', () => {
      const d = funded();
      expectRejected(d, order({ clientOrderId: 'has space' }), 'INVALID_COMMAND');
      expectRejected(d, order({ clientOrderId: 'x'.repeat(37) }), 'INVALID_COMMAND');
      expectRejected(d, order({ clientOrderId: 'bourse-7' }), 'INVALID_COMMAND');
      d.send(order({ clientOrderId: 'mine-1' }));
      expectRejected(d, order({ clientOrderId: 'mine-1' }), 'DUPLICATE_CLIENT_ORDER_ID');
      // Another user may use the same id.
      d.send(limit(2, 'BUY', usdt(30_000), btc(0.01), { clientOrderId: 'mine-1' }));
    });

    it('refuses what the user cannot pay for', () => {
      const d = funded();
      expectRejected(d, limit(1, 'BUY', usdt(30_000), btc(4)), 'INSUFFICIENT_BALANCE');
      expectRejected(d, limit(1, 'SELL', usdt(30_000), btc(10.001)), 'INSUFFICIENT_BALANCE');
      const market = { type: 'PlaceOrder', userId: 3, symbol: 'BTCUSDT', orderType: 'MARKET' } as const;
      expectRejected(d, { ...market, side: 'BUY', quoteOrderQty: usdt(100) }, 'INSUFFICIENT_BALANCE');
      expectRejected(d, { ...market, side: 'SELL', quantity: btc(1) }, 'INSUFFICIENT_BALANCE');
      expectRejected(d, { ...market, side: 'BUY', quantity: btc(1) }, 'INSUFFICIENT_BALANCE');
      expectRejected(d, { ...market, side: 'SELL', quoteOrderQty: usdt(100) }, 'INSUFFICIENT_BALANCE');
      // A market buy by quantity must afford at least one lot at the best ask.
      d.send(limit(2, 'SELL', usdt(30_000), btc(1)));
      d.deposit(3, 'USDT', usdt(2.99));
      expectRejected(d, { ...market, side: 'BUY', quantity: btc(1) }, 'INSUFFICIENT_BALANCE');
    });

    it('refuses a LIMIT_MAKER that would take', () => {
      const d = funded();
      d.send(limit(2, 'SELL', usdt(30_000), btc(1)));
      expectRejected(d, order({ orderType: 'LIMIT_MAKER', timeInForce: undefined }), 'WOULD_TAKE_AS_MAKER');
      expectRejected(
        d,
        order({ orderType: 'LIMIT_MAKER', price: usdt(30_001), timeInForce: undefined }),
        'WOULD_TAKE_AS_MAKER',
      );
    });
  });

  describe('cancels', () => {
    it('refuses unknown orders, other users orders and wrong symbols', () => {
      const d = funded();
      d.send(limit(1, 'BUY', usdt(30_000), btc(0.01), { clientOrderId: 'a' }));
      const cancel = { type: 'CancelOrder', userId: 1, symbol: 'BTCUSDT' } as const;
      expectRejected(d, { ...cancel, orderId: 999 }, 'UNKNOWN_ORDER');
      expectRejected(d, { ...cancel, userId: 2, orderId: 1 }, 'UNKNOWN_ORDER');
      expectRejected(d, { ...cancel, clientOrderId: 'b' }, 'UNKNOWN_ORDER');
      expectRejected(d, { ...cancel, orderId: 1, clientOrderId: 'b' }, 'UNKNOWN_ORDER');
      expectRejected(d, { ...cancel, userId: 2, clientOrderId: 'a' }, 'UNKNOWN_ORDER');
      expectRejected(d, { ...cancel, symbol: 'ETHUSDT', orderId: 1 }, 'UNKNOWN_SYMBOL');
      expectRejected(d, { ...cancel }, 'UNKNOWN_ORDER');
    });

    it('refuses a cancel-all with nothing open, as Binance answers it', () => {
      const d = funded();
      expectRejected(d, { type: 'CancelAllOrders', userId: 1, symbol: 'BTCUSDT' }, 'UNKNOWN_ORDER');
    });

    it('refuses a cancel-replace in STOP_ON_FAILURE mode when the cancel fails, placing nothing', () => {
      const d = funded();
      const replace = {
        type: 'CancelReplace',
        mode: 'STOP_ON_FAILURE',
        cancel: { orderId: 42 },
        order: {
          userId: 1,
          symbol: 'BTCUSDT',
          side: 'BUY',
          orderType: 'LIMIT',
          timeInForce: 'GTC',
          price: usdt(1),
          quantity: btc(10),
        },
      } as const;
      expectRejected(d, replace, 'UNKNOWN_ORDER');
    });
  });
});
