import { compare, trim } from '../lib/decimal.ts';
import { byId, fill, formatTime, h } from '../lib/dom.ts';
import type { Credentials } from '../lib/signing.ts';
import type { AppContext, Panel } from './app-context.ts';
import type { SymbolRules } from './symbol-rules.ts';

interface Order {
  readonly symbol: string;
  readonly orderId: number;
  readonly price: string;
  readonly origQty: string;
  readonly executedQty: string;
  readonly status: string;
  readonly type: string;
  readonly side: string;
  readonly time: number;
}

interface MyTrade {
  readonly id: number;
  readonly orderId: number;
  readonly price: string;
  readonly qty: string;
  readonly commission: string;
  readonly commissionAsset: string;
  readonly time: number;
  readonly isBuyer: boolean;
}

interface Balance {
  readonly asset: string;
  readonly free: string;
  readonly locked: string;
}

/**
 * The signed-in user's side of the page: open orders (with cancel), order history, trade history and
 * balances. Everything is read from the signed REST endpoints; the user-data stream only says when
 * to read again.
 */
export class AccountView implements Panel {
  readonly #ctx: AppContext;
  #symbol = '';
  #credentials: Credentials | undefined;
  #pending: Promise<void> | undefined;
  #again = false;
  /** Free balances, for the order form. */
  onBalances: (free: Map<string, string>) => void = () => {};

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  selectMarket(rules: SymbolRules): void {
    this.#symbol = rules.symbol;
    this.refresh();
  }

  signedIn(credentials: Credentials | undefined): void {
    this.#credentials = credentials;
    if (credentials === undefined) {
      for (const id of ['open-orders', 'order-history', 'trade-history', 'balances']) fill(byId(id));
      return;
    }
    this.refresh();
  }

  /** Reads everything again; calls that arrive while a read runs are folded into one more read. */
  refresh(): void {
    if (this.#credentials === undefined || this.#symbol === '') return;
    if (this.#pending !== undefined) {
      this.#again = true;
      return;
    }
    this.#pending = this.#load()
      .catch((error: unknown) => this.#ctx.report(error))
      .finally(() => {
        this.#pending = undefined;
        if (this.#again) {
          this.#again = false;
          this.refresh();
        }
      });
  }

  async #load(): Promise<void> {
    const credentials = this.#credentials!;
    const symbol = this.#symbol;
    const { rest } = this.#ctx;
    const [open, history, trades, account] = await Promise.all([
      rest.signed<Order[]>('GET', '/api/v3/openOrders', { symbol }, credentials),
      rest.signed<Order[]>('GET', '/api/v3/allOrders', { symbol, limit: 50 }, credentials),
      rest.signed<MyTrade[]>('GET', '/api/v3/myTrades', { symbol, limit: 50 }, credentials),
      rest.signed<{ balances: Balance[] }>('GET', '/api/v3/account', { omitZeroBalances: true }, credentials),
    ]);
    if (credentials !== this.#credentials || symbol !== this.#symbol) return;
    this.#drawOpen(open);
    this.#drawHistory(history);
    this.#drawTrades(trades);
    this.#drawBalances(account.balances);
  }

  #drawOpen(orders: readonly Order[]): void {
    fill(
      byId('open-orders'),
      ...orders.map((o) =>
        h(
          'tr',
          { 'data-order-id': o.orderId },
          h('td', { class: 'muted' }, formatTime(o.time)),
          h('td', { class: o.side === 'BUY' ? 'up' : 'down' }, `${o.side} ${o.type}`),
          h('td', { class: 'num' }, trim(o.price)),
          h('td', { class: 'num' }, `${trim(o.executedQty)} / ${trim(o.origQty)}`),
          h(
            'td',
            {},
            h(
              'button',
              {
                type: 'button',
                class: 'link',
                'aria-label': `Cancel order ${o.orderId}`,
                onclick: () => void this.#cancel(o),
              },
              'Cancel',
            ),
          ),
        ),
      ),
    );
    if (orders.length === 0) fill(byId('open-orders'), emptyRow(5, 'No open orders'));
  }

  #drawHistory(orders: readonly Order[]): void {
    const rows = [...orders]
      .reverse()
      .map((o) =>
        h(
          'tr',
          { 'data-order-id': o.orderId },
          h('td', { class: 'muted' }, formatTime(o.time)),
          h('td', { class: o.side === 'BUY' ? 'up' : 'down' }, `${o.side} ${o.type}`),
          h('td', { class: 'num' }, trim(o.price)),
          h('td', { class: 'num' }, `${trim(o.executedQty)} / ${trim(o.origQty)}`),
          h('td', {}, o.status),
        ),
      );
    fill(byId('order-history'), ...(rows.length === 0 ? [emptyRow(5, 'No orders yet')] : rows));
  }

  #drawTrades(trades: readonly MyTrade[]): void {
    const rows = [...trades]
      .reverse()
      .map((t) =>
        h(
          'tr',
          { 'data-trade-id': t.id },
          h('td', { class: 'muted' }, formatTime(t.time)),
          h('td', { class: t.isBuyer ? 'up' : 'down' }, t.isBuyer ? 'BUY' : 'SELL'),
          h('td', { class: 'num' }, trim(t.price)),
          h('td', { class: 'num' }, trim(t.qty)),
          h('td', { class: 'num muted' }, `${trim(t.commission)} ${t.commissionAsset}`),
        ),
      );
    fill(byId('trade-history'), ...(rows.length === 0 ? [emptyRow(5, 'No trades yet')] : rows));
  }

  #drawBalances(balances: readonly Balance[]): void {
    const free = new Map<string, string>();
    for (const b of balances) free.set(b.asset, b.free);
    this.onBalances(free);
    const rows = balances
      .filter((b) => compare(b.free, '0') > 0 || compare(b.locked, '0') > 0)
      .map((b) =>
        h(
          'tr',
          { 'data-asset': b.asset },
          h('td', {}, b.asset),
          h('td', { class: 'num' }, trim(b.free)),
          h('td', { class: 'num muted' }, trim(b.locked)),
        ),
      );
    fill(byId('balances'), ...(rows.length === 0 ? [emptyRow(3, 'No balances')] : rows));
  }

  async #cancel(order: Order): Promise<void> {
    try {
      await this.#ctx.rest.signed(
        'DELETE',
        '/api/v3/order',
        { symbol: order.symbol, orderId: order.orderId },
        this.#credentials!,
      );
      this.#ctx.notice(`Order ${order.orderId} canceled`);
    } catch (error) {
      this.#ctx.report(error);
    }
    this.refresh();
  }
}

function emptyRow(columns: number, text: string): HTMLTableRowElement {
  return h('tr', {}, h('td', { colspan: columns, class: 'muted' }, text));
}
