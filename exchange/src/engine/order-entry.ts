import type {
  CancelAllOrders,
  CancelOrder,
  CancelReplace,
  NewOrder,
  OrderRef,
  PlaceOrder,
} from '../domain/commands.ts';
import { isConditionalOrderType } from '../domain/market.ts';
import { RejectReason } from '../domain/reject-reason.ts';
import {
  cancelPending,
  placeConditional,
  workTriggered as workTriggeredOrders,
} from './conditional-entry.ts';
import type { MatchingEngine } from './engine.ts';
import type { Matcher } from './matcher.ts';
import type { RestingOrder } from './order.ts';
import { checkOrderRules, effectiveTimeInForce, GENERATED_CLIENT_ID_PREFIX } from './order-rules.ts';
import type { Outcomes } from './outcomes.ts';
import { cancelResting } from './resting-orders.ts';
import type { PendingOrder } from './trigger-book.ts';
import { isUserId } from './user-id.ts';

/**
 * Order entry as Binance Spot has it: new orders (validated, risk-checked, then matched), cancels by
 * order id or client order id, cancel-all, and cancel-replace.
 */
export class OrderEntry {
  private readonly engine: MatchingEngine;
  private readonly o: Outcomes;
  private readonly matcher: Matcher;

  constructor(engine: MatchingEngine, outcomes: Outcomes, matcher: Matcher) {
    this.engine = engine;
    this.o = outcomes;
    this.matcher = matcher;
  }

  placeOrder(command: PlaceOrder): void {
    this.submit(command, 'PlaceOrder');
  }

  cancelOrder(command: CancelOrder): void {
    const { userId, symbol } = command;
    const clientOrderId = command.clientOrderId ?? '';
    const market = this.engine.markets.get(symbol);
    if (market === undefined)
      return this.o.reject('CancelOrder', RejectReason.UNKNOWN_SYMBOL, userId, '', clientOrderId);
    const order = this.findOpenOrder(userId, symbol, command);
    if (order !== undefined) return cancelResting(this.engine, this.o, market, order, 'USER');
    const pending = this.findPendingOrder(userId, symbol, command);
    if (pending !== undefined) return cancelPending(this.engine, this.o, market, pending, 'USER');
    this.o.reject('CancelOrder', RejectReason.UNKNOWN_ORDER, userId, symbol, clientOrderId);
  }

  /** Works the orders that this command's trades triggered; the engine calls it after each command. */
  workTriggered(): void {
    workTriggeredOrders(this.engine, this.o, this.matcher);
  }

  cancelAllOrders(command: CancelAllOrders): void {
    const { userId, symbol } = command;
    const market = this.engine.markets.get(symbol);
    if (market === undefined)
      return this.o.reject('CancelAllOrders', RejectReason.UNKNOWN_SYMBOL, userId, '', '');
    const toCancel: RestingOrder[] = [];
    for (const order of this.engine.orders.ofUser(userId)) if (order.symbol === symbol) toCancel.push(order);
    const pending = this.engine.conditional.ofUser(userId).filter((order) => order.symbol === symbol);
    // Binance answers a cancel-all with nothing open as an unknown order.
    if (toCancel.length === 0 && pending.length === 0)
      return this.o.reject('CancelAllOrders', RejectReason.UNKNOWN_ORDER, userId, symbol, '');
    for (const order of toCancel) cancelResting(this.engine, this.o, market, order, 'CANCEL_ALL');
    for (const order of pending) cancelPending(this.engine, this.o, market, order, 'CANCEL_ALL');
  }

  cancelReplace(command: CancelReplace): void {
    const { order: newOrder, cancel } = command;
    const { userId, symbol } = newOrder;
    const market = this.engine.markets.get(symbol);
    if (market === undefined)
      return this.o.reject('CancelReplace', RejectReason.UNKNOWN_SYMBOL, userId, '', '');
    if (command.mode !== 'STOP_ON_FAILURE' && command.mode !== 'ALLOW_FAILURE') {
      return this.o.reject('CancelReplace', RejectReason.INVALID_COMMAND, userId, symbol, '');
    }
    const existing = this.findOpenOrder(userId, symbol, cancel);
    const pending = existing === undefined ? this.findPendingOrder(userId, symbol, cancel) : undefined;
    if (existing !== undefined) {
      cancelResting(this.engine, this.o, market, existing, 'REPLACE');
    } else if (pending !== undefined) {
      cancelPending(this.engine, this.o, market, pending, 'REPLACE');
    } else {
      this.o.reject('CancelReplace', RejectReason.UNKNOWN_ORDER, userId, symbol, cancel.clientOrderId ?? '');
      if (command.mode === 'STOP_ON_FAILURE') return;
    }
    this.submit(newOrder, 'CancelReplace');
  }

  private findOpenOrder(userId: number, symbol: string, ref: OrderRef): RestingOrder | undefined {
    let order: RestingOrder | undefined;
    if (ref.orderId !== undefined) {
      order = this.engine.orders.get(ref.orderId);
      if (
        order !== undefined &&
        ref.clientOrderId !== undefined &&
        order.clientOrderId !== ref.clientOrderId
      ) {
        return undefined;
      }
    } else if (ref.clientOrderId !== undefined) {
      order = this.engine.orders.byClientId(userId, ref.clientOrderId);
    }
    if (order === undefined || order.userId !== userId || order.symbol !== symbol) return undefined;
    return order;
  }

  /** A waiting conditional order, named as findOpenOrder names a resting one. */
  private findPendingOrder(userId: number, symbol: string, ref: OrderRef): PendingOrder | undefined {
    const conditional = this.engine.conditional;
    let order: PendingOrder | undefined;
    if (ref.orderId !== undefined) {
      order = conditional.get(ref.orderId);
      if (order !== undefined && ref.clientOrderId !== undefined && order.clientOrderId !== ref.clientOrderId)
        return undefined;
    } else if (ref.clientOrderId !== undefined) {
      order = conditional.byClientId(userId, ref.clientOrderId);
      if (order === undefined && ref.clientOrderId.startsWith(GENERATED_CLIENT_ID_PREFIX)) {
        const byId = conditional.get(Number(ref.clientOrderId.slice(GENERATED_CLIENT_ID_PREFIX.length)));
        if (byId !== undefined && byId.clientOrderId === ref.clientOrderId) order = byId;
      }
    }
    if (order === undefined || order.userId !== userId || order.symbol !== symbol) return undefined;
    return order;
  }

  /** Validates, risk-checks, then matches a new order; the whole of Binance's order entry. */
  private submit(order: NewOrder, commandType: 'PlaceOrder' | 'CancelReplace'): void {
    const userId = order.userId;
    const clientOrderId = order.clientOrderId ?? '';
    const symbol = typeof order.symbol === 'string' ? order.symbol : '';
    if (!isUserId(userId))
      return this.o.reject(commandType, RejectReason.INVALID_USER, 0, symbol, clientOrderId);
    const market = this.engine.markets.get(symbol);
    if (market === undefined)
      return this.o.reject(commandType, RejectReason.UNKNOWN_SYMBOL, userId, '', clientOrderId);
    if (market.status !== 'TRADING') {
      return this.o.reject(commandType, RejectReason.MARKET_HALTED, userId, symbol, clientOrderId);
    }
    const ruleViolation = checkOrderRules(order, market, this.o.ts);
    if (ruleViolation !== null)
      return this.o.reject(commandType, ruleViolation, userId, symbol, clientOrderId);
    if (
      order.clientOrderId !== undefined &&
      (this.engine.orders.byClientId(userId, order.clientOrderId) !== undefined ||
        this.engine.conditional.byClientId(userId, order.clientOrderId) !== undefined)
    ) {
      return this.o.reject(
        commandType,
        RejectReason.DUPLICATE_CLIENT_ORDER_ID,
        userId,
        symbol,
        clientOrderId,
      );
    }
    const isBuy = order.side === 'BUY';
    const opposite = isBuy ? market.asks : market.bids;
    const stpMode = order.stpMode ?? market.spec.defaultStpMode;
    if (isConditionalOrderType(order.orderType))
      return placeConditional(this.engine, this.o, market, order, commandType, stpMode);

    // LIMIT_MAKER is post-only: it must not cross the book at all.
    if (order.orderType === 'LIMIT_MAKER') {
      const best = opposite.best();
      if (best !== undefined && (isBuy ? order.price! >= best.price : order.price! <= best.price)) {
        return this.o.reject(commandType, RejectReason.WOULD_TAKE_AS_MAKER, userId, symbol, clientOrderId);
      }
    }

    const taker = this.matcher.taker;
    taker.userId = userId;
    taker.side = order.side;
    taker.price = order.price ?? 0;
    taker.quantity = order.quantity ?? 0;
    taker.timeInForce = effectiveTimeInForce(order);
    taker.stpMode = stpMode;
    taker.executed = 0;
    taker.cumulativeQuote = 0;
    taker.expireReason = null;
    taker.filled = false;
    taker.aggPrice = 0;
    if (order.quoteOrderQty !== undefined) {
      taker.target = 'QUOTE';
      taker.remaining = order.quoteOrderQty;
    } else {
      taker.target = 'BASE';
      taker.remaining = order.quantity!;
    }

    // Pre-trade risk: what this order may spend, checked against what the user has available.
    const spendAsset = isBuy ? market.quote : market.base;
    // find, not account: a rejected order must not even create an empty account.
    const available = this.engine.balances.find(userId)?.available[spendAsset.index] ?? 0;
    let lock: number;
    if (order.orderType !== 'MARKET') {
      lock = isBuy ? market.notional(taker.price, taker.quantity) : taker.quantity;
      taker.budgeted = false;
    } else if (isBuy === (taker.target === 'QUOTE')) {
      // A market buy by quote amount, or a market sell by base quantity: the amount is known.
      lock = taker.remaining;
      taker.budgeted = false;
    } else {
      // A market buy by base quantity, or a sell by quote amount: the cost depends on the book, so
      // the order may use all the user has, and no more. It must afford at least one lot at the top.
      lock = available;
      taker.budgeted = true;
      const best = opposite.best();
      const minimum =
        best === undefined
          ? 0
          : isBuy
            ? market.notional(best.price, market.spec.lotSize)
            : market.spec.lotSize;
      if (available < minimum || available === 0) {
        return this.o.reject(commandType, RejectReason.INSUFFICIENT_BALANCE, userId, symbol, clientOrderId);
      }
    }
    if (lock > available)
      return this.o.reject(commandType, RejectReason.INSUFFICIENT_BALANCE, userId, symbol, clientOrderId);

    const orderId = this.engine.nextOrderId++;
    taker.orderId = orderId;
    taker.userChoseClientId = order.clientOrderId !== undefined;
    taker.clientOrderId = order.clientOrderId ?? `${GENERATED_CLIENT_ID_PREFIX}${orderId}`;
    if (this.o.recording)
      this.o.out.push({
        type: 'OrderAccepted',
        seq: this.o.seq,
        ts: this.o.ts,
        orderId,
        userId,
        symbol,
        side: order.side,
        orderType: order.orderType,
        timeInForce: taker.timeInForce,
        price: taker.price,
        quantity: taker.quantity,
        quoteOrderQty: order.quoteOrderQty ?? 0,
        clientOrderId: taker.clientOrderId,
        stpMode,
        stopPrice: 0,
        trailingDelta: 0,
      });

    if (taker.timeInForce === 'FOK' && !this.matcher.canFillCompletely(market)) {
      this.matcher.emitTakerEnd(market, 'OrderExpired', 'FOK');
      return;
    }

    const account = this.engine.balances.account(userId);
    taker.locked = lock;
    if (lock > 0) this.o.change(account, spendAsset, -lock, lock, 'ORDER_LOCK');

    this.matcher.match(market, account);
    this.matcher.finish(market, account);
  }
}
