import type { SelfTradePreventionMode, Side } from '../domain/market.ts';
import { IntTable } from './int-table.ts';
import { RestingOrder } from './order.ts';
import { GENERATED_CLIENT_ID_PREFIX } from './order-rules.ts';

/**
 * One user's open orders: an intrusive list through the orders themselves, oldest first (order ids
 * only grow, so that is placement order, the order cancel-all walks), plus an index of the client
 * order ids the user chose. Generated ids are derived from the order id and need no index.
 */
class UserOrders {
  head: RestingOrder | null = null;
  tail: RestingOrder | null = null;
  readonly byClientId = new Map<string, RestingOrder>();
}

/** Orders kept for reuse once off the book; enough for any burst of moves. */
const SPARE_ORDERS = 4096;

/**
 * Every resting order, by id, and each user's in placement order and by client order id. Also where
 * resting orders come from: `create` reuses the object of an order that has left (see RestingOrder).
 */
export class OpenOrders {
  private readonly spare: RestingOrder[] = [];
  /** Not a Map: see IntTable for why a churning index wants no tombstones. */
  private readonly byId = new IntTable<RestingOrder>();
  private readonly byUser = new Map<number, UserOrders>();

  get size(): number {
    return this.byId.size;
  }

  has(orderId: number): boolean {
    return this.byId.has(orderId);
  }

  get(orderId: number): RestingOrder | undefined {
    return this.byId.get(orderId);
  }

  /** Every resting order, oldest first (ids only grow, and an order rests in the command that placed it). */
  all(): IterableIterator<RestingOrder> {
    return [...this.byId.allValues()].sort((a, b) => a.orderId - b.orderId).values();
  }

  /** A resting order to be, in a reused object when one is spare. */
  create(
    orderId: number,
    userId: number,
    side: Side,
    price: number,
    quantity: number,
    clientOrderId: string,
    stpMode: SelfTradePreventionMode,
    ts: number,
    symbol: string,
    clientIdChosen: boolean,
  ): RestingOrder {
    const spare = this.spare.pop();
    if (spare === undefined)
      return new RestingOrder(
        orderId,
        userId,
        side,
        price,
        quantity,
        clientOrderId,
        stpMode,
        ts,
        symbol,
        clientIdChosen,
      );
    return spare.init(
      orderId,
      userId,
      side,
      price,
      quantity,
      clientOrderId,
      stpMode,
      ts,
      symbol,
      clientIdChosen,
    );
  }

  add(order: RestingOrder): void {
    this.byId.set(order.orderId, order);
    let user = this.byUser.get(order.userId);
    if (user === undefined) {
      user = new UserOrders();
      this.byUser.set(order.userId, user);
    }
    order.userPrev = user.tail;
    order.userNext = null;
    if (user.tail === null) user.head = order;
    else user.tail.userNext = order;
    user.tail = order;
    if (order.clientIdChosen) user.byClientId.set(order.clientOrderId, order);
  }

  /**
   * Takes the order out of the indexes. Its fields stay readable until the command ends (events are
   * built from them); its object may then be reused by `create`.
   */
  remove(order: RestingOrder): void {
    this.byId.delete(order.orderId);
    if (this.spare.length < SPARE_ORDERS) this.spare.push(order);
    // An emptied user's entry stays: users come back, and recreating it per order is churn.
    const user = this.byUser.get(order.userId)!;
    if (order.userPrev === null) user.head = order.userNext;
    else order.userPrev.userNext = order.userNext;
    if (order.userNext === null) user.tail = order.userPrev;
    else order.userNext.userPrev = order.userPrev;
    order.userPrev = null;
    order.userNext = null;
    if (order.clientIdChosen) user.byClientId.delete(order.clientOrderId);
  }

  byClientId(userId: number, clientOrderId: string): RestingOrder | undefined {
    if (clientOrderId.startsWith(GENERATED_CLIENT_ID_PREFIX)) {
      const order = this.byId.get(Number(clientOrderId.slice(GENERATED_CLIENT_ID_PREFIX.length)));
      return order !== undefined && order.userId === userId && order.clientOrderId === clientOrderId
        ? order
        : undefined;
    }
    return this.byUser.get(userId)?.byClientId.get(clientOrderId);
  }

  /** The user's open orders, oldest first. Safe to remove the yielded order while iterating. */
  *ofUser(userId: number): IterableIterator<RestingOrder> {
    let order = this.byUser.get(userId)?.head ?? null;
    while (order !== null) {
      const next = order.userNext;
      yield order;
      order = next;
    }
  }
}
