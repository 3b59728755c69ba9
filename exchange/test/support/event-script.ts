import { mulDiv } from '../../src/domain/amount.ts';
import type { BalanceReason, CancelReason, EngineEvent, ExpireReason } from '../../src/domain/events.ts';
import {
  FEE_ACCOUNT_ID,
  FEE_RATE_SCALE,
  type MarketSpec,
  type Side,
  type TimeInForce,
} from '../../src/domain/market.ts';
import type { RejectReason } from '../../src/domain/reject-reason.ts';
import { BTCUSDT } from './engine-driver.ts';

/**
 * Writes realistic engine event streams by hand: the test says which resting orders a new order
 * trades against, and the script produces the events an engine would, with locks, fees in the asset
 * received, releases and resulting balances all consistent. It matches nothing by itself, so a test
 * reads as a scenario; `openOrders` lets a generator choose makers.
 */
export interface ScriptOrder {
  readonly orderId: number;
  readonly userId: number;
  readonly symbol: string;
  readonly side: Side;
  readonly price: number;
  readonly quantity: number;
  readonly clientOrderId: string;
  executedQty: number;
  cumulativeQuoteQty: number;
  /** What the order still holds locked: quote for a buy, base for a sell. */
  lockedRemaining: number;
}

export interface LimitOptions {
  readonly timeInForce?: TimeInForce;
  readonly clientOrderId?: string;
  /** Resting orders to trade against, in this order, each at its own price. */
  readonly against?: readonly number[];
}

// tickSize * lotSize = 10^8 = 10^baseDecimals, so every notional is exact.
export const BTC_USDT: MarketSpec = {
  ...BTCUSDT,
  minNotional: 1_000_000,
  makerFeePpm: 1_000,
  takerFeePpm: 2_000,
};

export class EventScript {
  readonly events: EngineEvent[] = [];
  /** The events of each command, in seq order; commands without events appear as []. */
  readonly commands: EngineEvent[][] = [];
  readonly #decimals = new Map<string, number>();
  readonly #markets = new Map<string, MarketSpec>();
  readonly #balances = new Map<string, { available: number; locked: number }>();
  readonly #orders = new Map<number, ScriptOrder>();
  readonly #withdrawals = new Map<string, { userId: number; asset: string; amount: number }>();
  readonly #stepMs: number;
  #seq = 0;
  #ts: number;
  #nextOrderId = 1;
  /** Per symbol, as the engine numbers them: the next trade id, the next aggregate id, and the open aggregate. */
  readonly #tradeIds = new Map<string, { trade: number; agg: number; aggTaker: number; aggPrice: number }>();
  #current: EngineEvent[] = [];
  #stamp = { seq: 0, ts: 0 };

  constructor(options: { readonly startTs?: number; readonly stepMs?: number } = {}) {
    this.#ts = options.startTs ?? Date.UTC(2025, 0, 1);
    this.#stepMs = options.stepMs ?? 1;
  }

  get lastSeq(): number {
    return this.#seq;
  }

  /** The clock the next command is stamped with. */
  get now(): number {
    return this.#ts;
  }

  at(ts: number): this {
    this.#ts = ts;
    return this;
  }

  advance(ms: number): this {
    this.#ts += ms;
    return this;
  }

  balance(userId: number, asset: string): { available: number; locked: number } {
    return { ...(this.#balances.get(`${userId}:${asset}`) ?? { available: 0, locked: 0 }) };
  }

  order(orderId: number): ScriptOrder {
    const order = this.#orders.get(orderId);
    if (order === undefined) throw new Error(`script has no order ${orderId}`);
    return order;
  }

  openOrders(symbol: string, side: Side): ScriptOrder[] {
    return [...this.#orders.values()].filter((o) => o.symbol === symbol && o.side === side);
  }

  addAsset(asset: string, decimals: number): this {
    this.#command(() => {
      this.#decimals.set(asset, decimals);
      this.#emit({ type: 'AssetAdded', asset, decimals });
    });
    return this;
  }

  listMarket(market: MarketSpec = BTC_USDT): this {
    this.#command(() => {
      this.#markets.set(market.symbol, market);
      this.#emit({ type: 'MarketListed', market });
    });
    return this;
  }

  halt(symbol: string): this {
    this.#command(() => this.#emit({ type: 'MarketHalted', symbol }));
    return this;
  }

  resume(symbol: string): this {
    this.#command(() => this.#emit({ type: 'MarketResumed', symbol }));
    return this;
  }

  deposit(userId: number, asset: string, amount: number): this {
    this.#command(() => this.#change(userId, asset, amount, 0, 'DEPOSIT'));
    return this;
  }

  requestWithdrawal(withdrawalId: string, userId: number, asset: string, amount: number): this {
    this.#command(() => {
      this.#withdrawals.set(withdrawalId, { userId, asset, amount });
      this.#change(userId, asset, -amount, amount, 'WITHDRAWAL_LOCK');
      this.#emit({ type: 'WithdrawalRequested', withdrawalId, userId, asset, amount });
    });
    return this;
  }

  completeWithdrawal(withdrawalId: string): this {
    const w = this.#withdrawal(withdrawalId);
    this.#command(() => {
      this.#change(w.userId, w.asset, 0, -w.amount, 'WITHDRAWAL_COMPLETE');
      this.#emit({ type: 'WithdrawalCompleted', withdrawalId, ...w });
    });
    return this;
  }

  failWithdrawal(withdrawalId: string): this {
    const w = this.#withdrawal(withdrawalId);
    this.#command(() => {
      this.#change(w.userId, w.asset, w.amount, -w.amount, 'WITHDRAWAL_FAIL');
      this.#emit({ type: 'WithdrawalFailed', withdrawalId, ...w });
    });
    return this;
  }

  /** A command the engine rejected: one Rejected event and nothing else. */
  reject(userId: number, symbol: string, reason: RejectReason, clientOrderId = ''): this {
    this.#command(() =>
      this.#emit({ type: 'Rejected', command: 'PlaceOrder', reason, userId, symbol, clientOrderId }),
    );
    return this;
  }

  /** A command that produced no events (say, cancelling all orders of a user who has none). */
  silent(): this {
    this.#command(() => {});
    return this;
  }

  /** Places a limit order, trades it against `against`, and returns its id. */
  limit(
    userId: number,
    symbol: string,
    side: Side,
    price: number,
    quantity: number,
    options: LimitOptions = {},
  ): number {
    const market = this.#market(symbol);
    const orderId = this.#nextOrderId++;
    const timeInForce = options.timeInForce ?? 'GTC';
    const clientOrderId = options.clientOrderId ?? `auto-${orderId}`;
    this.#command(() => {
      const lock = side === 'BUY' ? this.#notional(market, price, quantity, true) : quantity;
      const lockAsset = side === 'BUY' ? market.quote : market.base;
      this.#change(userId, lockAsset, -lock, lock, 'ORDER_LOCK');
      const order: ScriptOrder = {
        orderId,
        userId,
        symbol,
        side,
        price,
        quantity,
        clientOrderId,
        executedQty: 0,
        cumulativeQuoteQty: 0,
        lockedRemaining: lock,
      };
      this.#orders.set(orderId, order);
      this.#emit({
        type: 'OrderAccepted',
        orderId,
        userId,
        symbol,
        side,
        orderType: 'LIMIT',
        timeInForce,
        price,
        quantity,
        quoteOrderQty: 0,
        clientOrderId,
        stpMode: market.defaultStpMode,
        stopPrice: 0,
        trailingDelta: 0,
      });
      for (const makerId of options.against ?? []) {
        if (order.executedQty === order.quantity) break;
        this.#trade(market, order, this.order(makerId));
      }
      if (order.executedQty === order.quantity) this.#fill(order);
      else if (timeInForce !== 'GTC') this.#end(order, 'OrderExpired', 'IOC');
    });
    return orderId;
  }

  cancel(orderId: number, reason: CancelReason = 'USER'): this {
    const order = this.order(orderId);
    this.#command(() => this.#end(order, 'OrderCanceled', reason));
    return this;
  }

  /** Expires a resting order on its own command (self-trade prevention expiring a maker). */
  expire(orderId: number, reason: ExpireReason): this {
    const order = this.order(orderId);
    this.#command(() => this.#end(order, 'OrderExpired', reason));
    return this;
  }

  #trade(market: MarketSpec, taker: ScriptOrder, maker: ScriptOrder): void {
    const quantity = Math.min(taker.quantity - taker.executedQty, maker.quantity - maker.executedQty);
    const price = maker.price;
    const quoteQuantity = this.#notional(market, price, quantity, false);
    const buyer = taker.side === 'BUY' ? taker : maker;
    const seller = taker.side === 'BUY' ? maker : taker;
    const takerPpm = market.takerFeePpm;
    const makerPpm = market.makerFeePpm;
    const buyerFee = mulDiv(quantity, buyer === taker ? takerPpm : makerPpm, FEE_RATE_SCALE, false);
    const sellerFee = mulDiv(quoteQuantity, seller === taker ? takerPpm : makerPpm, FEE_RATE_SCALE, false);
    for (const order of [taker, maker]) {
      order.executedQty += quantity;
      order.cumulativeQuoteQty += quoteQuantity;
    }
    buyer.lockedRemaining -= quoteQuantity;
    seller.lockedRemaining -= quantity;
    let ids = this.#tradeIds.get(market.symbol);
    if (ids === undefined) {
      ids = { trade: 1, agg: 0, aggTaker: 0, aggPrice: 0 };
      this.#tradeIds.set(market.symbol, ids);
    }
    if (ids.aggTaker !== taker.orderId || ids.aggPrice !== price) {
      ids.agg++;
      ids.aggTaker = taker.orderId;
      ids.aggPrice = price;
    }
    this.#emit({
      type: 'Trade',
      tradeId: ids.trade++,
      aggTradeId: ids.agg,
      symbol: market.symbol,
      price,
      quantity,
      quoteQuantity,
      takerSide: taker.side,
      takerOrderId: taker.orderId,
      takerUserId: taker.userId,
      makerOrderId: maker.orderId,
      makerUserId: maker.userId,
      takerFee: taker === buyer ? buyerFee : sellerFee,
      makerFee: maker === buyer ? buyerFee : sellerFee,
      takerExecutedQty: taker.executedQty,
      makerExecutedQty: maker.executedQty,
    });
    this.#change(buyer.userId, market.quote, 0, -quoteQuantity, 'TRADE');
    this.#change(seller.userId, market.base, 0, -quantity, 'TRADE');
    this.#change(buyer.userId, market.base, quantity, 0, 'TRADE');
    this.#change(seller.userId, market.quote, quoteQuantity, 0, 'TRADE');
    if (buyerFee > 0) {
      this.#change(buyer.userId, market.base, -buyerFee, 0, 'FEE');
      this.#change(FEE_ACCOUNT_ID, market.base, buyerFee, 0, 'FEE');
    }
    if (sellerFee > 0) {
      this.#change(seller.userId, market.quote, -sellerFee, 0, 'FEE');
      this.#change(FEE_ACCOUNT_ID, market.quote, sellerFee, 0, 'FEE');
    }
    if (maker.executedQty === maker.quantity) this.#fill(maker);
  }

  #fill(order: ScriptOrder): void {
    this.#release(order);
    this.#orders.delete(order.orderId);
    this.#emit({
      type: 'OrderFilled',
      orderId: order.orderId,
      userId: order.userId,
      symbol: order.symbol,
      executedQty: order.executedQty,
      cumulativeQuoteQty: order.cumulativeQuoteQty,
    });
  }

  #end(order: ScriptOrder, type: 'OrderCanceled', reason: CancelReason): void;
  #end(order: ScriptOrder, type: 'OrderExpired', reason: ExpireReason): void;
  #end(
    order: ScriptOrder,
    type: 'OrderCanceled' | 'OrderExpired',
    reason: CancelReason | ExpireReason,
  ): void {
    this.#release(order);
    this.#orders.delete(order.orderId);
    const common = {
      orderId: order.orderId,
      userId: order.userId,
      symbol: order.symbol,
      clientOrderId: order.clientOrderId,
      executedQty: order.executedQty,
      cumulativeQuoteQty: order.cumulativeQuoteQty,
    };
    if (type === 'OrderCanceled') this.#emit({ type, ...common, reason: reason as CancelReason });
    else this.#emit({ type, ...common, reason: reason as ExpireReason });
  }

  /** Gives back what an ended order still holds (a buy filled below its limit keeps some quote). */
  #release(order: ScriptOrder): void {
    if (order.lockedRemaining === 0) return;
    const market = this.#market(order.symbol);
    const asset = order.side === 'BUY' ? market.quote : market.base;
    this.#change(order.userId, asset, order.lockedRemaining, -order.lockedRemaining, 'ORDER_RELEASE');
    order.lockedRemaining = 0;
  }

  #notional(market: MarketSpec, price: number, quantity: number, roundUp: boolean): number {
    return mulDiv(price, quantity, 10 ** (this.#decimals.get(market.base) ?? 0), roundUp);
  }

  #change(
    userId: number,
    asset: string,
    availableDelta: number,
    lockedDelta: number,
    reason: BalanceReason,
  ): void {
    const key = `${userId}:${asset}`;
    const balance = this.#balances.get(key) ?? { available: 0, locked: 0 };
    balance.available += availableDelta;
    balance.locked += lockedDelta;
    if (balance.available < 0 || balance.locked < 0) {
      throw new Error(`script overdraws user ${userId} ${asset}: ${balance.available}/${balance.locked}`);
    }
    this.#balances.set(key, balance);
    this.#emit({ type: 'BalanceChanged', userId, asset, availableDelta, lockedDelta, ...balance, reason });
  }

  #command(body: () => void): void {
    this.#stamp = { seq: ++this.#seq, ts: this.#ts };
    this.#current = [];
    body();
    this.commands.push(this.#current);
    this.#ts += this.#stepMs;
  }

  #emit(event: DistributiveOmit<EngineEvent, 'seq' | 'ts'>): void {
    const stamped = { ...event, ...this.#stamp } as EngineEvent;
    this.#current.push(stamped);
    this.events.push(stamped);
  }

  #market(symbol: string): MarketSpec {
    const market = this.#markets.get(symbol);
    if (market === undefined) throw new Error(`script has no market ${symbol}`);
    return market;
  }

  #withdrawal(withdrawalId: string): { userId: number; asset: string; amount: number } {
    const w = this.#withdrawals.get(withdrawalId);
    if (w === undefined) throw new Error(`script has no withdrawal ${withdrawalId}`);
    return w;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
