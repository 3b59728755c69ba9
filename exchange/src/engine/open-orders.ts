import type { RestingOrder } from './order.ts';
import { GENERATED_CLIENT_ID_PREFIX } from './order-rules.ts';

interface UserOrders {
  /** In the order they were placed (order ids only grow), which is the order cancel-all walks them. */
  readonly byOrderId: Map<number, RestingOrder>;
  /** Only ids the user chose: generated ones are derived from the order id and need no index. */
  readonly byClientId: Map<string, RestingOrder>;
}

/** Every resting order, by id and by each user's client order id. */
export class OpenOrders {
  private readonly byId = new Map<number, RestingOrder>();
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

  all(): IterableIterator<RestingOrder> {
    return this.byId.values();
  }

  add(order: RestingOrder): void {
    this.byId.set(order.orderId, order);
    let user = this.byUser.get(order.userId);
    if (user === undefined) {
      user = { byOrderId: new Map(), byClientId: new Map() };
      this.byUser.set(order.userId, user);
    }
    user.byOrderId.set(order.orderId, order);
    if (order.clientIdChosen) user.byClientId.set(order.clientOrderId, order);
  }

  remove(order: RestingOrder): void {
    this.byId.delete(order.orderId);
    const user = this.byUser.get(order.userId)!;
    user.byOrderId.delete(order.orderId);
    if (order.clientIdChosen) user.byClientId.delete(order.clientOrderId);
    // An emptied user's entry stays: users come back, and recreating two maps per order is churn.
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

  ofUser(userId: number): IterableIterator<RestingOrder> | undefined {
    return this.byUser.get(userId)?.byOrderId.values();
  }
}
