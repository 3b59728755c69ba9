import type {
  ConditionalOrderType,
  MarketSpec,
  MarketStatus,
  SelfTradePreventionMode,
  Side,
  TimeInForce,
} from '../domain/market.ts';
import { stopTriggersAbove } from '../domain/symbol-filters.ts';
import type { AveragePriceState } from './average-price.ts';
import type { BookSide } from './book-side.ts';
import type { MatchingEngine } from './engine.ts';
import { Market } from './market.ts';
import { RestingOrder } from './order.ts';
import { isGeneratedClientId } from './order-rules.ts';
import { PendingOrder } from './trigger-book.ts';

/**
 * The engine's whole state as canonical JSON: every collection in a defined order (accounts by user
 * id, withdrawals by id, each book from its best level outward and oldest order first), so two engines
 * in the same state produce the same text, byte for byte, however they got there.
 */
export const SNAPSHOT_FORMAT_VERSION = 3;

/**
 * Format 2 is format 3 with no conditional orders (the builds that wrote it had none), so it loads
 * as it is.
 */
const COMPATIBLE_VERSIONS: ReadonlySet<number> = new Set([2, SNAPSHOT_FORMAT_VERSION]);

/**
 * What each older version lacks, for the refusal's message. Version 1 counted trade ids across all
 * markets and kept no average price; its per-market counters cannot be recovered from it, so a
 * recovery passes it over and replays the log from an older snapshot or from the start.
 */
const OLDER_VERSIONS: Readonly<Record<number, string>> = {
  1: 'it counts trade ids across all markets, where this build numbers them per market, and keeps no average prices',
};

interface SnapshotOrder {
  readonly orderId: number;
  readonly userId: number;
  readonly side: Side;
  readonly price: number;
  readonly quantity: number;
  readonly remaining: number;
  readonly executed: number;
  readonly cumulativeQuote: number;
  readonly locked: number;
  readonly clientOrderId: string;
  readonly stpMode: SelfTradePreventionMode;
  readonly ts: number;
}

/** A waiting conditional order, with its trailing state. */
interface SnapshotConditionalOrder {
  readonly orderId: number;
  readonly userId: number;
  readonly symbol: string;
  readonly side: Side;
  readonly orderType: ConditionalOrderType;
  readonly price: number;
  readonly quantity: number;
  readonly timeInForce: TimeInForce;
  readonly stpMode: SelfTradePreventionMode;
  readonly clientOrderId: string;
  readonly ts: number;
  readonly stopPrice: number;
  readonly trailingDelta: number;
  readonly locked: number;
  readonly tracking: boolean;
  readonly extreme: number;
}

interface SnapshotMarket {
  readonly spec: MarketSpec;
  readonly status: MarketStatus;
  readonly nextTradeId: number;
  readonly nextAggTradeId: number;
  readonly averagePrice: AveragePriceState;
  readonly bids: readonly SnapshotOrder[];
  readonly asks: readonly SnapshotOrder[];
}

export interface EngineSnapshot {
  readonly version: number;
  readonly lastSeq: number;
  readonly nextOrderId: number;
  readonly assets: readonly { readonly name: string; readonly decimals: number; readonly supply: number }[];
  readonly markets: readonly SnapshotMarket[];
  readonly accounts: readonly {
    readonly userId: number;
    readonly available: number[];
    readonly locked: number[];
  }[];
  readonly withdrawals: readonly {
    readonly withdrawalId: string;
    readonly userId: number;
    readonly asset: string;
    readonly amount: number;
  }[];
  /** By order id; absent in format 2, which had none. */
  readonly conditionalOrders?: readonly SnapshotConditionalOrder[];
}

export class SnapshotFormatError extends Error {
  readonly code = 'SNAPSHOT_FORMAT';
}

export function snapshotOf(engine: MatchingEngine): EngineSnapshot {
  const assetCount = engine.assets.all().length;
  const dense = (values: number[]) => Array.from({ length: assetCount }, (_, i) => values[i] ?? 0);
  return {
    version: SNAPSHOT_FORMAT_VERSION,
    lastSeq: engine.lastSeq,
    nextOrderId: engine.nextOrderId,
    assets: engine.assets.all().map(({ name, decimals, supply }) => ({ name, decimals, supply })),
    markets: [...engine.markets.values()].map((market) => ({
      spec: market.spec,
      status: market.status,
      nextTradeId: market.nextTradeId,
      nextAggTradeId: market.nextAggTradeId,
      averagePrice: market.averagePrice.save(),
      bids: ordersOf(market.bids),
      asks: ordersOf(market.asks),
    })),
    accounts: [...engine.balances.all()]
      .sort((a, b) => a.userId - b.userId)
      .map((account) => ({
        userId: account.userId,
        available: dense(account.available),
        locked: dense(account.locked),
      })),
    withdrawals: [...engine.withdrawals.values()]
      .sort((a, b) => (a.withdrawalId < b.withdrawalId ? -1 : a.withdrawalId > b.withdrawalId ? 1 : 0))
      .map(({ withdrawalId, userId, asset, amount }) => ({
        withdrawalId,
        userId,
        asset: asset.name,
        amount,
      })),
    conditionalOrders: [...engine.conditional.all()]
      .sort((a, b) => a.orderId - b.orderId)
      .map((order) => ({
        orderId: order.orderId,
        userId: order.userId,
        symbol: order.symbol,
        side: order.side,
        orderType: order.orderType,
        price: order.price,
        quantity: order.quantity,
        timeInForce: order.timeInForce,
        stpMode: order.stpMode,
        clientOrderId: order.clientOrderId,
        ts: order.ts,
        stopPrice: order.stopPrice,
        trailingDelta: order.trailingDelta,
        locked: order.locked,
        tracking: order.tracking,
        extreme: order.extreme,
      })),
  };
}

function ordersOf(side: BookSide): SnapshotOrder[] {
  const orders: SnapshotOrder[] = [];
  for (const level of side.levelsFromBest()) {
    for (let order = level.head; order !== null; order = order.next) {
      orders.push({
        orderId: order.orderId,
        userId: order.userId,
        side: order.side,
        price: order.price,
        quantity: order.quantity,
        remaining: order.remaining,
        executed: order.executed,
        cumulativeQuote: order.cumulativeQuote,
        locked: order.locked,
        clientOrderId: order.clientOrderId,
        stpMode: order.stpMode,
        ts: order.ts,
      });
    }
  }
  return orders;
}

/** Loads a snapshot into a new, empty engine. */
export function restoreInto(engine: MatchingEngine, snapshot: EngineSnapshot): void {
  if (!COMPATIBLE_VERSIONS.has(snapshot.version)) {
    const why = OLDER_VERSIONS[snapshot.version];
    throw new SnapshotFormatError(
      `snapshot format version ${String(snapshot.version)} is not supported (expected ${SNAPSHOT_FORMAT_VERSION})` +
        (why === undefined ? '' : `: ${why}`),
    );
  }
  if (engine.lastSeq !== 0 || engine.assets.all().length !== 0) {
    throw new Error('a snapshot can only be restored into an empty engine');
  }
  engine.lastSeq = snapshot.lastSeq;
  engine.nextOrderId = snapshot.nextOrderId;
  for (const asset of snapshot.assets) engine.assets.add(asset.name, asset.decimals).supply = asset.supply;
  const assetNamed = (name: string) => {
    const asset = engine.assets.get(name);
    if (asset === undefined) throw new SnapshotFormatError(`snapshot names unknown asset ${name}`);
    return asset;
  };
  const pending: { market: Market; order: RestingOrder }[] = [];
  for (const saved of snapshot.markets) {
    const market = new Market(saved.spec, assetNamed(saved.spec.base), assetNamed(saved.spec.quote));
    market.status = saved.status;
    market.nextTradeId = saved.nextTradeId;
    market.nextAggTradeId = saved.nextAggTradeId;
    market.averagePrice.restore(saved.averagePrice);
    engine.markets.set(saved.spec.symbol, market);
    for (const o of [...saved.bids, ...saved.asks]) {
      const order = new RestingOrder(
        o.orderId,
        o.userId,
        o.side,
        o.price,
        o.quantity,
        o.clientOrderId,
        o.stpMode,
        o.ts,
        saved.spec.symbol,
        !isGeneratedClientId(o),
      );
      order.remaining = o.remaining;
      order.executed = o.executed;
      order.cumulativeQuote = o.cumulativeQuote;
      order.locked = o.locked;
      pending.push({ market, order });
    }
  }
  // Saved best level first and oldest first within a level, so adding in saved order rebuilds the
  // books with time priority intact; indexing in order-id order rebuilds each user's open orders in
  // the order they were placed, which is the order cancel-all walks them.
  for (const { market, order } of pending) (order.side === 'BUY' ? market.bids : market.asks).add(order);
  for (const { order } of [...pending].sort((a, b) => a.order.orderId - b.order.orderId)) {
    engine.orders.add(order);
  }
  for (const saved of snapshot.accounts) {
    const account = engine.balances.account(saved.userId);
    saved.available.forEach((value, i) => {
      account.available[i] = value;
    });
    saved.locked.forEach((value, i) => {
      account.locked[i] = value;
    });
  }
  for (const w of snapshot.withdrawals) {
    engine.withdrawals.set(w.withdrawalId, {
      withdrawalId: w.withdrawalId,
      userId: w.userId,
      asset: assetNamed(w.asset),
      amount: w.amount,
    });
  }
  // In order-id order, as they were placed: each market's triggers then fire in the same order.
  for (const o of snapshot.conditionalOrders ?? []) {
    if (!engine.markets.has(o.symbol))
      throw new SnapshotFormatError(`snapshot names unknown market ${o.symbol}`);
    const order = new PendingOrder(
      o.orderId,
      o.userId,
      o.symbol,
      o.side,
      o.orderType,
      o.price,
      o.quantity,
      o.timeInForce,
      o.stpMode,
      o.clientOrderId,
      !isGeneratedClientId(o),
      o.ts,
      o.stopPrice,
      o.trailingDelta,
      stopTriggersAbove(o.orderType, o.side),
      o.locked,
    );
    order.tracking = o.tracking;
    order.extreme = o.extreme;
    engine.conditional.add(order);
  }
}
