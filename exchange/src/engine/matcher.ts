import type { ExpireReason } from '../domain/events.ts';
import { FEE_ACCOUNT_ID, FEE_RATE_SCALE } from '../domain/market.ts';
import type { Account } from './balances.ts';
import type { MatchingEngine } from './engine.ts';
import type { Market } from './market.ts';
import type { RestingOrder } from './order.ts';
import type { Outcomes } from './outcomes.ts';
import { expireResting, releaseLeftover, rest } from './resting-orders.ts';
import { Taker } from './taker.ts';

/**
 * Matching: the taker against the opposite side, by price then time, with self-trade prevention,
 * fees and settlement of both sides in the same step; then the taker fills, rests or expires.
 */
export class Matcher {
  /** One taker, reused: a new order is matched in place rather than allocated first. */
  readonly taker = new Taker();
  private readonly engine: MatchingEngine;
  private readonly o: Outcomes;
  /** The exchange's fee account, looked up on the first fee (accounts are never dropped). */
  private feeAccount: Account | null = null;

  constructor(engine: MatchingEngine, outcomes: Outcomes) {
    this.engine = engine;
    this.o = outcomes;
  }

  /** FOK: walks the book as matching would, without changing it. */
  canFillCompletely(market: Market): boolean {
    const taker = this.taker;
    const opposite = taker.side === 'BUY' ? market.asks : market.bids;
    let wanted = taker.remaining;
    for (const level of opposite.levelsFromBest()) {
      if (!this.crosses(level.price)) return false;
      for (let maker = level.head; maker !== null; maker = maker.next) {
        if (maker.userId === taker.userId && taker.stpMode !== 'NONE') {
          if (taker.stpMode === 'EXPIRE_MAKER') continue;
          return false;
        }
        wanted -= maker.remaining;
        if (wanted <= 0) return true;
      }
    }
    return false;
  }

  private crosses(makerPrice: number): boolean {
    const taker = this.taker;
    if (taker.price === 0) return true;
    return taker.side === 'BUY' ? makerPrice <= taker.price : makerPrice >= taker.price;
  }

  /** Price-time priority: best level first, oldest order first within it. */
  match(market: Market, takerAccount: Account): void {
    const taker = this.taker;
    const opposite = taker.side === 'BUY' ? market.asks : market.bids;
    for (;;) {
      const level = opposite.best();
      if (level === undefined) {
        if (taker.price === 0) taker.expireReason = 'NO_LIQUIDITY';
        return;
      }
      if (!this.crosses(level.price)) return;
      const maker = level.head!;
      if (maker.userId === taker.userId && taker.stpMode !== 'NONE') {
        const mode = taker.stpMode;
        if (mode === 'EXPIRE_MAKER' || mode === 'EXPIRE_BOTH')
          expireResting(this.engine, this.o, market, maker, 'SELF_TRADE');
        if (mode === 'EXPIRE_TAKER' || mode === 'EXPIRE_BOTH') {
          taker.expireReason = 'SELF_TRADE';
          return;
        }
        continue;
      }
      const quantity = this.fillableQuantity(market, maker);
      if (quantity === 0) return;
      this.trade(market, takerAccount, maker, quantity);
      if (taker.filled) return;
    }
  }

  /** How much of `maker` the taker takes now; 0 when the taker can take nothing more. */
  private fillableQuantity(market: Market, maker: RestingOrder): number {
    const taker = this.taker;
    const price = maker.price;
    let quantity = maker.remaining;
    if (taker.target === 'BASE') {
      if (taker.remaining < quantity) quantity = taker.remaining;
    } else {
      // By quote amount: what the rest of the amount buys (or, selling, no more than raises it), in
      // whole lots, and never more than LOT_SIZE's maxQty in all, as Binance keeps such orders to it.
      const lots = market.affordableQuantity(taker.remaining, price);
      const room = market.spec.maxQty - taker.executed;
      if (lots < quantity) quantity = lots;
      if (room < quantity) quantity = room;
      if (quantity === 0) {
        this.spentQuote();
        return 0;
      }
      // A buy by quote amount locked that amount, which bounds it already.
      if (taker.side === 'BUY') return quantity;
    }
    if (taker.budgeted) {
      const lot = market.spec.lotSize;
      const budget =
        taker.side === 'BUY'
          ? market.affordableQuantity(taker.locked, price)
          : taker.locked - (taker.locked % lot);
      if (budget < quantity) quantity = budget;
      if (quantity === 0) taker.expireReason = 'BALANCE';
    }
    return quantity;
  }

  /**
   * A taker by quote amount that can take no more: what is left of its amount makes no whole lot at
   * the best price, or it has executed maxQty. It has filled if it executed anything, and otherwise
   * expires, as on Binance. Never FILLED with nothing executed.
   */
  private spentQuote(): void {
    const taker = this.taker;
    if (taker.executed > 0) taker.filled = true;
    else taker.expireReason = 'BELOW_ONE_LOT';
  }

  private trade(market: Market, takerAccount: Account, maker: RestingOrder, quantity: number): void {
    const taker = this.taker;
    const price = maker.price;
    const quote = market.notional(price, quantity);
    const spec = market.spec;
    const takerBuys = taker.side === 'BUY';
    // Fees are taken from what each side receives, rounded down: never more than the published rate.
    const takerReceives = takerBuys ? quantity : quote;
    const makerReceives = takerBuys ? quote : quantity;
    const takerFee = feeOf(takerReceives, spec.takerFeePpm);
    const makerFee = feeOf(makerReceives, spec.makerFeePpm);

    taker.executed += quantity;
    taker.cumulativeQuote += quote;
    if (taker.target === 'BASE') taker.remaining -= quantity;
    else taker.remaining -= quote;
    taker.locked -= takerBuys ? quote : quantity;
    maker.executed += quantity;
    maker.cumulativeQuote += quote;
    maker.locked -= takerBuys ? quantity : quote;
    const book = takerBuys ? market.asks : market.bids;
    book.reduce(maker, quantity);

    const { seq, ts } = this.o;
    const tradeId = market.nextTradeId++;
    // An aggregate trade: the taker's consecutive fills at one price.
    if (taker.aggPrice !== price) {
      taker.aggPrice = price;
      taker.aggTradeId = market.nextAggTradeId++;
    }
    market.averagePrice.add(ts, price, quantity, quote);
    this.engine.conditional.onTrade(spec.symbol, price);
    if (this.o.recording)
      this.o.out.push({
        type: 'Trade',
        seq,
        ts,
        tradeId,
        aggTradeId: taker.aggTradeId,
        symbol: spec.symbol,
        price,
        quantity,
        quoteQuantity: quote,
        takerSide: taker.side,
        takerOrderId: taker.orderId,
        takerUserId: taker.userId,
        makerOrderId: maker.orderId,
        makerUserId: maker.userId,
        takerFee,
        makerFee,
        takerExecutedQty: taker.executed,
        makerExecutedQty: maker.executed,
      });

    if (maker.account === null) maker.account = this.engine.balances.account(maker.userId);
    const makerAccount = maker.account;
    const base = market.base;
    const quoteAsset = market.quote;
    if (takerBuys) {
      this.o.change(takerAccount, quoteAsset, 0, -quote, 'TRADE');
      this.o.change(takerAccount, base, quantity - takerFee, 0, 'TRADE');
      this.o.change(makerAccount, base, 0, -quantity, 'TRADE');
      this.o.change(makerAccount, quoteAsset, quote - makerFee, 0, 'TRADE');
    } else {
      this.o.change(takerAccount, base, 0, -quantity, 'TRADE');
      this.o.change(takerAccount, quoteAsset, quote - takerFee, 0, 'TRADE');
      this.o.change(makerAccount, quoteAsset, 0, -quote, 'TRADE');
      this.o.change(makerAccount, base, quantity - makerFee, 0, 'TRADE');
    }
    if (takerFee > 0 || makerFee > 0) {
      if (this.feeAccount === null) this.feeAccount = this.engine.balances.account(FEE_ACCOUNT_ID);
      const feeAccount = this.feeAccount;
      const takerFeeAsset = takerBuys ? base : quoteAsset;
      const makerFeeAsset = takerBuys ? quoteAsset : base;
      if (takerFee > 0) this.o.change(feeAccount, takerFeeAsset, takerFee, 0, 'FEE');
      if (makerFee > 0) this.o.change(feeAccount, makerFeeAsset, makerFee, 0, 'FEE');
    }

    if (maker.remaining === 0) {
      book.remove(maker);
      this.engine.orders.remove(maker);
      if (this.o.recording)
        this.o.out.push({
          type: 'OrderFilled',
          seq,
          ts,
          orderId: maker.orderId,
          userId: maker.userId,
          symbol: spec.symbol,
          executedQty: maker.executed,
          cumulativeQuoteQty: maker.cumulativeQuote,
        });
      releaseLeftover(this.o, makerAccount, maker.side === 'BUY' ? quoteAsset : base, maker.locked);
      maker.locked = 0;
    }
    if (taker.target === 'BASE' && taker.remaining === 0) taker.filled = true;
  }

  /** After matching: the taker fills, rests or expires, and gives back what it no longer needs. */
  finish(market: Market, account: Account): void {
    const taker = this.taker;
    const isBuy = taker.side === 'BUY';
    const spendAsset = isBuy ? market.quote : market.base;
    if (taker.filled) {
      this.emitTakerEnd(market, 'OrderFilled', null);
    } else if (taker.expireReason !== null) {
      this.emitTakerEnd(market, 'OrderExpired', taker.expireReason);
    } else if (taker.timeInForce !== 'GTC') {
      this.emitTakerEnd(market, 'OrderExpired', taker.price === 0 ? 'NO_LIQUIDITY' : 'IOC');
    } else {
      const order = this.engine.orders.create(
        taker.orderId,
        taker.userId,
        taker.side,
        taker.price,
        taker.quantity,
        taker.clientOrderId,
        taker.stpMode,
        this.o.ts,
        market.spec.symbol,
        taker.userChoseClientId,
      );
      order.remaining = taker.remaining;
      order.executed = taker.executed;
      order.cumulativeQuote = taker.cumulativeQuote;
      // A buy that took liquidity below its limit keeps only what its remainder can cost at the limit.
      order.locked = isBuy ? market.notional(taker.price, taker.remaining) : taker.remaining;
      const excess = taker.locked - order.locked;
      taker.locked = 0;
      rest(this.engine, market, order);
      releaseLeftover(this.o, account, spendAsset, excess);
      return;
    }
    releaseLeftover(this.o, account, spendAsset, taker.locked);
    taker.locked = 0;
  }

  emitTakerEnd(market: Market, type: 'OrderFilled' | 'OrderExpired', reason: ExpireReason | null): void {
    const taker = this.taker;
    if (!this.o.recording) return;
    if (type === 'OrderFilled') {
      this.o.out.push({
        type,
        seq: this.o.seq,
        ts: this.o.ts,
        orderId: taker.orderId,
        userId: taker.userId,
        symbol: market.spec.symbol,
        executedQty: taker.executed,
        cumulativeQuoteQty: taker.cumulativeQuote,
      });
    } else {
      this.o.out.push({
        type,
        seq: this.o.seq,
        ts: this.o.ts,
        orderId: taker.orderId,
        userId: taker.userId,
        symbol: market.spec.symbol,
        clientOrderId: taker.clientOrderId,
        executedQty: taker.executed,
        cumulativeQuoteQty: taker.cumulativeQuote,
        reason: reason!,
      });
    }
  }
}

function feeOf(amount: number, ratePpm: number): number {
  if (ratePpm === 0) return 0;
  const product = amount * ratePpm;
  if (Number.isSafeInteger(product)) {
    // Exact: a safe product divided by 10^6, floored, with the float quotient corrected below.
    let fee = Math.floor(product / FEE_RATE_SCALE);
    if (fee * FEE_RATE_SCALE > product) fee--;
    return fee;
  }
  return Number((BigInt(amount) * BigInt(ratePpm)) / BigInt(FEE_RATE_SCALE));
}
