import type { Amount } from '../../domain/amount.ts';
import type { EngineEvent, OrderAccepted, Trade } from '../../domain/events.ts';
import {
  hasLimitPrice,
  isConditionalOrderType,
  type MarketSpec,
  type SelfTradePreventionMode,
  type Side,
  type TimeInForce,
} from '../../domain/market.ts';
import type { EngineSnapshot } from '../../engine/snapshot.ts';
import type { OrderStatus } from '../../storage/read-model-rows.ts';
import { formatMinor } from '../binance/decimal.ts';
import { wireTimeInForce } from '../binance/wire.ts';
import { type UserDataPushedMessage, userDataPushedChannel } from '../gateway-channels.ts';

/** One user-data event, serialized once for every connection that carries it. */
export interface UserEvent {
  readonly payload: Readonly<Record<string, unknown>>;
  readonly json: string;
}

export type UserEventListener = (events: readonly UserEvent[]) => void;

interface TrackedOrder {
  readonly orderId: number;
  readonly userId: number;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderAccepted['orderType'];
  readonly timeInForce: TimeInForce;
  readonly price: Amount;
  readonly quantity: Amount;
  readonly quoteOrderQty: Amount;
  readonly clientOrderId: string;
  readonly stpMode: SelfTradePreventionMode;
  readonly createdTs: number;
  /** A conditional order's stop price and trailing delta; 0 when it has none, and for other types. */
  readonly stopPrice: Amount;
  readonly trailingDelta: number;
  /** When the order began working: its placement, or a conditional one's trigger; -1 while it waits. */
  workingTs: number;
  executed: Amount;
  cumulativeQuote: Amount;
}

interface MarketDecimals {
  readonly spec: MarketSpec;
  readonly baseDecimals: number;
  readonly quoteDecimals: number;
}

type ExecutionType = 'NEW' | 'TRADE' | 'CANCELED' | 'EXPIRED' | 'TRADE_PREVENTION';

/**
 * Binance's user data events, projected from the engine's events: executionReport for every change
 * of an order, balanceUpdate for deposits and withdrawals, and after each command an
 * outboundAccountPosition with the balances it changed. Like market data it reads events only, and
 * can start from a snapshot's data; orders resting in a snapshot are reported as LIMIT GTC (the
 * snapshot does not keep LIMIT_MAKER apart).
 */
export class UserDataFeed {
  private readonly assets = new Map<string, number>();
  private readonly markets = new Map<string, MarketDecimals>();
  private readonly orders = new Map<number, TrackedOrder>();
  private readonly listeners = new Map<number, Set<UserEventListener>>();
  private eventCounter = 0;

  static fromSnapshot(snapshot: EngineSnapshot): UserDataFeed {
    const feed = new UserDataFeed();
    for (const asset of snapshot.assets) feed.assets.set(asset.name, asset.decimals);
    for (const market of snapshot.markets) {
      feed.list(market.spec);
      for (const o of [...market.bids, ...market.asks]) {
        feed.orders.set(o.orderId, {
          orderId: o.orderId,
          userId: o.userId,
          symbol: market.spec.symbol,
          side: o.side,
          type: 'LIMIT',
          timeInForce: 'GTC',
          price: o.price,
          quantity: o.quantity,
          quoteOrderQty: 0,
          clientOrderId: o.clientOrderId,
          stpMode: o.stpMode,
          createdTs: o.ts,
          stopPrice: 0,
          trailingDelta: 0,
          workingTs: o.ts,
          executed: o.executed,
          cumulativeQuote: o.cumulativeQuote,
        });
      }
    }
    for (const o of snapshot.conditionalOrders ?? []) {
      feed.orders.set(o.orderId, {
        orderId: o.orderId,
        userId: o.userId,
        symbol: o.symbol,
        side: o.side,
        type: o.orderType,
        timeInForce: o.timeInForce,
        price: o.price,
        quantity: o.quantity,
        quoteOrderQty: 0,
        clientOrderId: o.clientOrderId,
        stpMode: o.stpMode,
        createdTs: o.ts,
        stopPrice: o.stopPrice,
        trailingDelta: o.trailingDelta,
        workingTs: -1,
        executed: 0,
        cumulativeQuote: 0,
      });
    }
    return feed;
  }

  /** Delivers `userId`'s events, one call per command; returns an unsubscribe. */
  subscribe(userId: number, listener: UserEventListener): () => void {
    let set = this.listeners.get(userId);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(userId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(userId) === set) this.listeners.delete(userId);
    };
  }

  /** Applies one command's events; call for every command, in seq order. */
  apply(events: readonly EngineEvent[], seq?: number): void {
    let terminal: Set<number> | undefined;
    let lastTrade: Map<number, number> | undefined;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      if (e.type === 'OrderFilled' || e.type === 'OrderCanceled' || e.type === 'OrderExpired') {
        terminal ??= new Set();
        terminal.add(e.orderId);
      } else if (e.type === 'Trade') {
        lastTrade ??= new Map();
        lastTrade.set(e.takerOrderId, i);
        lastTrade.set(e.makerOrderId, i);
      }
    }
    const out = new Map<number, Record<string, unknown>[]>();
    const balances = new Map<number, Map<string, { available: Amount; locked: Amount }>>();
    // Payloads are only built for users someone listens to; the order tracking runs regardless.
    const push = (userId: number, make: () => Record<string, unknown>) => {
      if (!this.listeners.has(userId)) return;
      const payload = make();
      let list = out.get(userId);
      if (list === undefined) {
        list = [];
        out.set(userId, list);
      }
      list.push(payload);
    };
    // On the book: not a market order (nor a stop that works as one), not waiting, not ended.
    const isWorking = (order: TrackedOrder) =>
      hasLimitPrice(order.type) && order.workingTs !== -1 && !terminal?.has(order.orderId);
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      switch (e.type) {
        case 'AssetAdded':
          this.assets.set(e.asset, e.decimals);
          break;
        case 'MarketListed':
          this.list(e.market);
          break;
        case 'OrderAccepted': {
          const order: TrackedOrder = {
            orderId: e.orderId,
            userId: e.userId,
            symbol: e.symbol,
            side: e.side,
            type: e.orderType,
            timeInForce: e.timeInForce,
            price: e.price,
            quantity: e.quantity,
            quoteOrderQty: e.quoteOrderQty,
            clientOrderId: e.clientOrderId,
            stpMode: e.stpMode,
            createdTs: e.ts,
            stopPrice: e.stopPrice,
            trailingDelta: e.trailingDelta,
            workingTs: isConditionalOrderType(e.orderType) ? -1 : e.ts,
            executed: 0,
            cumulativeQuote: 0,
          };
          this.orders.set(order.orderId, order);
          push(e.userId, () => this.report(order, e.ts, 'NEW', 'NEW', isWorking(order)));
          break;
        }
        case 'OrderTriggered': {
          // Binance reports a triggered stop as a second NEW, now working.
          const order = this.orders.get(e.orderId);
          if (order === undefined) break;
          order.workingTs = e.ts;
          push(order.userId, () => this.report(order, e.ts, 'NEW', 'NEW', isWorking(order)));
          break;
        }
        case 'Trade': {
          for (const isMaker of [false, true]) {
            const order = this.orders.get(isMaker ? e.makerOrderId : e.takerOrderId);
            if (order === undefined) continue;
            order.executed = isMaker ? e.makerExecutedQty : e.takerExecutedQty;
            order.cumulativeQuote += e.quoteQuantity;
            const filled =
              order.executed === order.quantity ||
              (lastTrade?.get(order.orderId) === i &&
                terminal?.has(order.orderId) === true &&
                isFilledBy(events, order.orderId));
            push(order.userId, () =>
              this.report(
                order,
                e.ts,
                'TRADE',
                filled ? 'FILLED' : 'PARTIALLY_FILLED',
                !filled && isWorking(order),
                {
                  trade: e,
                  isMaker,
                },
              ),
            );
          }
          break;
        }
        case 'OrderFilled':
          this.orders.delete(e.orderId);
          break;
        case 'OrderCanceled':
        case 'OrderExpired': {
          const order = this.orders.get(e.orderId);
          if (order === undefined) break;
          this.orders.delete(e.orderId);
          order.executed = e.executedQty;
          order.cumulativeQuote = e.cumulativeQuoteQty;
          if (e.type === 'OrderCanceled') {
            push(order.userId, () => this.report(order, e.ts, 'CANCELED', 'CANCELED', false));
          } else if (e.reason === 'SELF_TRADE') {
            push(order.userId, () => this.report(order, e.ts, 'TRADE_PREVENTION', 'EXPIRED_IN_MATCH', false));
          } else {
            push(order.userId, () => this.report(order, e.ts, 'EXPIRED', 'EXPIRED', false));
          }
          break;
        }
        case 'BalanceChanged': {
          let user = balances.get(e.userId);
          if (user === undefined) {
            user = new Map();
            balances.set(e.userId, user);
          }
          user.set(e.asset, { available: e.available, locked: e.locked });
          if (
            (e.reason === 'DEPOSIT' || e.reason === 'WITHDRAWAL_LOCK' || e.reason === 'WITHDRAWAL_FAIL') &&
            e.availableDelta !== 0
          ) {
            push(e.userId, () => ({
              e: 'balanceUpdate',
              E: e.ts,
              a: e.asset,
              d: formatMinor(e.availableDelta, this.decimals(e.asset)),
              T: e.ts,
            }));
          }
          break;
        }
        default:
          break;
      }
    }
    const ts = events[0]?.ts ?? 0;
    for (const [userId, assets] of balances) {
      if (!this.listeners.has(userId)) continue;
      const B: { a: string; f: string; l: string }[] = [];
      for (const [asset, b] of assets) {
        const decimals = this.decimals(asset);
        B.push({ a: asset, f: formatMinor(b.available, decimals), l: formatMinor(b.locked, decimals) });
      }
      push(userId, () => ({ e: 'outboundAccountPosition', E: ts, u: ts, B }));
    }
    let connections = 0;
    for (const [userId, payloads] of out) {
      const listeners = this.listeners.get(userId);
      if (listeners === undefined) continue;
      const userEvents = payloads.map((payload) => ({ payload, json: JSON.stringify(payload) }));
      for (const listener of listeners) listener(userEvents);
      connections += listeners.size;
    }
    if (out.size > 0 && seq !== undefined && userDataPushedChannel.hasSubscribers) {
      const message: UserDataPushedMessage = { seq, users: out.size, connections };
      userDataPushedChannel.publish(message);
    }
  }

  private list(spec: MarketSpec): void {
    this.markets.set(spec.symbol, {
      spec,
      baseDecimals: this.decimals(spec.base),
      quoteDecimals: this.decimals(spec.quote),
    });
  }

  private decimals(asset: string): number {
    const decimals = this.assets.get(asset);
    if (decimals === undefined) throw new Error(`user data saw asset ${asset} before it was added`);
    return decimals;
  }

  /** Binance's executionReport, every field, amounts in each asset's precision. */
  private report(
    order: TrackedOrder,
    ts: number,
    x: ExecutionType,
    X: OrderStatus,
    working: boolean,
    fill?: { trade: Trade; isMaker: boolean },
  ): Record<string, unknown> {
    const market = this.markets.get(order.symbol)!;
    const price = (v: Amount) => formatMinor(v, market.quoteDecimals);
    const qty = (v: Amount) => formatMinor(v, market.baseDecimals);
    const trade = fill?.trade;
    let commission = 0;
    let commissionAsset: string | null = null;
    if (trade !== undefined) {
      commission = fill!.isMaker ? trade.makerFee : trade.takerFee;
      // Fees come out of what the order receives: base for a buy, quote for a sell.
      const feeAsset = order.side === 'BUY' ? market.spec.base : market.spec.quote;
      if (commission > 0) commissionAsset = feeAsset;
    }
    const commissionDecimals =
      commissionAsset === market.spec.base ? market.baseDecimals : market.quoteDecimals;
    const isCancel = x === 'CANCELED';
    return {
      e: 'executionReport',
      E: ts,
      s: order.symbol,
      c: order.clientOrderId,
      S: order.side,
      o: order.type,
      f: wireTimeInForce(order.type, order.timeInForce),
      q: qty(order.quantity),
      p: price(order.price),
      P: price(order.stopPrice),
      F: qty(0),
      g: -1,
      C: isCancel ? order.clientOrderId : '',
      x,
      X,
      r: 'NONE',
      i: order.orderId,
      l: qty(trade?.quantity ?? 0),
      z: qty(order.executed),
      L: price(trade?.price ?? 0),
      n: formatMinor(commission, commissionDecimals),
      N: commissionAsset,
      T: ts,
      t: trade?.tradeId ?? -1,
      I: ++this.eventCounter,
      w: working,
      m: fill?.isMaker ?? false,
      M: trade !== undefined,
      O: order.createdTs,
      Z: price(order.cumulativeQuote),
      Y: price(trade?.quoteQuantity ?? 0),
      Q: price(order.quoteOrderQty),
      ...(order.trailingDelta !== 0 && { d: order.trailingDelta }),
      ...(working && { W: order.workingTs }),
      V: order.stpMode,
    };
  }
}

function isFilledBy(events: readonly EngineEvent[], orderId: number): boolean {
  for (const e of events) if (e.type === 'OrderFilled' && e.orderId === orderId) return true;
  return false;
}
