import { trim } from '../lib/decimal.ts';
import { byId, fill, h } from '../lib/dom.ts';
import type { Credentials } from '../lib/signing.ts';
import type { AppContext, Panel } from './app-context.ts';
import { checkDraft, hasTimeInForce, needsPrice, needsStopPrice, type OrderSide } from './order-draft.ts';
import type { SymbolRules } from './symbol-rules.ts';

/** Types the form offers, in this order, when the symbol lists them in exchangeInfo. */
const TYPE_LABELS: Readonly<Record<string, string>> = {
  LIMIT: 'Limit',
  MARKET: 'Market',
  LIMIT_MAKER: 'Limit maker',
  STOP_LOSS: 'Stop loss',
  STOP_LOSS_LIMIT: 'Stop limit',
  TAKE_PROFIT: 'Take profit',
  TAKE_PROFIT_LIMIT: 'Take profit limit',
};

/**
 * The order form: every order type the symbol lists, with its tick and lot steps and minimum notional
 * from exchangeInfo, the available balance of what the order spends, and Binance's answer.
 */
export class OrderForm implements Panel {
  readonly #ctx: AppContext;
  readonly #form = byId<HTMLFormElement>('order-form');
  #side: OrderSide = 'BUY';
  #rules: SymbolRules | undefined;
  #free = new Map<string, string>();
  /** Called after an order is accepted, so the account panels refresh at once. */
  onPlaced: () => void = () => {};

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    for (const side of ['BUY', 'SELL'] as const) {
      byId(`side-${side.toLowerCase()}`).addEventListener('click', () => {
        this.#side = side;
        this.#refresh();
      });
    }
    this.#field('type').addEventListener('change', () => this.#refresh());
    this.#field('byQuote').addEventListener('change', () => this.#refresh());
    this.#form.addEventListener('input', () => this.#estimate());
    this.#form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#submit();
    });
  }

  selectMarket(rules: SymbolRules): void {
    this.#rules = rules;
    const type = this.#field<HTMLSelectElement>('type');
    const previous = type.value;
    fill(
      type,
      ...Object.keys(TYPE_LABELS)
        .filter((t) => rules.orderTypes.includes(t))
        .map((t) => h('option', { value: t, selected: t === previous }, TYPE_LABELS[t]!)),
    );
    this.#field('price').setAttribute('step', rules.tickSize);
    this.#field('stopPrice').setAttribute('step', rules.tickSize);
    this.#field('quantity').setAttribute('step', rules.stepSize);
    fill(
      byId('order-rules'),
      `Tick ${trim(rules.tickSize)} · lot ${trim(rules.stepSize)} · min notional ${trim(rules.minNotional)} ${rules.quote}`,
    );
    this.#refresh();
  }

  signedIn(credentials: Credentials | undefined): void {
    byId<HTMLButtonElement>('place').disabled = credentials === undefined;
    if (credentials === undefined) this.balances(new Map());
  }

  /** Free balances by asset, from the account panel. */
  balances(free: Map<string, string>): void {
    this.#free = free;
    this.#refresh();
  }

  /** A price picked from the book. */
  setPrice(price: string): void {
    this.#field<HTMLInputElement>('price').value = price;
    this.#estimate();
  }

  #field<T extends HTMLElement = HTMLInputElement>(name: string): T {
    return this.#form.elements.namedItem(name) as unknown as T;
  }

  #refresh(): void {
    const rules = this.#rules;
    if (rules === undefined) return;
    const type = this.#field<HTMLSelectElement>('type').value;
    const byQuote = type === 'MARKET' && this.#field<HTMLInputElement>('byQuote').checked;
    this.#show('row-price', needsPrice(type));
    this.#show('row-stop', needsStopPrice(type));
    this.#show('row-tif', hasTimeInForce(type));
    this.#show('row-by-quote', type === 'MARKET' && rules.quoteOrderQtyMarketAllowed);
    this.#show('row-quantity', !byQuote);
    this.#show('row-quote', byQuote);
    for (const side of ['BUY', 'SELL'] as const)
      byId(`side-${side.toLowerCase()}`).setAttribute('aria-pressed', String(this.#side === side));
    const place = byId<HTMLButtonElement>('place');
    place.className = this.#side === 'BUY' ? 'buy' : 'sell';
    fill(place, `${this.#side === 'BUY' ? 'Buy' : 'Sell'} ${rules.base}`);
    const spends = this.#side === 'BUY' ? rules.quote : rules.base;
    fill(byId('available'), `Available: ${trim(this.#free.get(spends) ?? '0')} ${spends}`);
    this.#estimate();
  }

  #show(id: string, visible: boolean): void {
    byId(id).hidden = !visible;
  }

  #draft() {
    const value = (name: string) => this.#field<HTMLInputElement>(name).value;
    return {
      side: this.#side,
      type: this.#field<HTMLSelectElement>('type').value,
      price: value('price'),
      quantity: value('quantity'),
      byQuote: this.#field<HTMLInputElement>('byQuote').checked,
      quoteOrderQty: value('quoteOrderQty'),
      stopPrice: value('stopPrice'),
      timeInForce: this.#field<HTMLSelectElement>('timeInForce').value,
    };
  }

  #estimate(): void {
    const rules = this.#rules;
    if (rules === undefined) return;
    const check = checkDraft(this.#draft(), rules);
    fill(
      byId('order-total'),
      check.ok && check.notional !== undefined ? `Total ≈ ${trim(check.notional)} ${rules.quote}` : '',
    );
  }

  async #submit(): Promise<void> {
    const rules = this.#rules;
    const credentials = this.#ctx.credentials();
    if (rules === undefined || credentials === undefined) return;
    const status = byId('order-status');
    const check = checkDraft(this.#draft(), rules);
    if (!check.ok) {
      status.className = 'error';
      fill(status, check.message);
      this.#field(check.field)?.focus();
      return;
    }
    status.className = 'muted';
    fill(status, 'Sending…');
    try {
      const answer = await this.#ctx.rest.signed<{ orderId: number; status: string; executedQty: string }>(
        'POST',
        '/api/v3/order',
        { ...check.params, newOrderRespType: 'FULL' },
        credentials,
      );
      status.className = 'ok';
      fill(
        status,
        `Order ${answer.orderId}: ${answer.status}, filled ${trim(answer.executedQty)} ${rules.base}`,
      );
      this.onPlaced();
    } catch (error) {
      status.className = 'error';
      fill(status, (error as Error).message);
    }
  }
}
