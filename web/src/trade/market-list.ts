import { trim } from '../lib/decimal.ts';
import { byId, fill, h } from '../lib/dom.ts';
import type { AppContext } from './app-context.ts';

interface Ticker {
  readonly symbol: string;
  readonly lastPrice: string;
  readonly priceChangePercent: string;
  readonly quoteVolume: string;
}

/** The market list: last price, 24-hour change and quote volume, kept live from `!ticker@arr`. */
export class MarketList {
  readonly #ctx: AppContext;
  readonly #tickers = new Map<string, Ticker>();
  readonly #onSelect: (symbol: string) => void;
  #selected = '';

  constructor(ctx: AppContext, onSelect: (symbol: string) => void) {
    this.#ctx = ctx;
    this.#onSelect = onSelect;
  }

  async load(): Promise<void> {
    const all = await this.#ctx.rest.get<Ticker[]>('/api/v3/ticker/24hr');
    for (const t of all) this.#tickers.set(t.symbol, t);
    this.render();
  }

  /** A `24hrTicker` event from the all-tickers stream. */
  onTicker(event: { s: string; c: string; P: string; q: string }): void {
    this.#tickers.set(event.s, {
      symbol: event.s,
      lastPrice: event.c,
      priceChangePercent: event.P,
      quoteVolume: event.q,
    });
    this.render();
  }

  select(symbol: string): void {
    this.#selected = symbol;
    this.render();
  }

  render(): void {
    const rows = [...this.#ctx.markets.values()].map((rules) => {
      const t = this.#tickers.get(rules.symbol);
      const change = t?.priceChangePercent ?? '0';
      const direction = change.startsWith('-') ? 'down' : Number(change) === 0 ? 'flat' : 'up';
      return h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            class: `market${rules.symbol === this.#selected ? ' selected' : ''}`,
            'aria-pressed': String(rules.symbol === this.#selected),
            'data-symbol': rules.symbol,
            onclick: () => this.#onSelect(rules.symbol),
          },
          h('span', { class: 'symbol' }, `${rules.base}/${rules.quote}`),
          h('span', { class: 'num' }, t === undefined ? '–' : trim(t.lastPrice)),
          h('span', { class: `num ${direction}` }, `${change}%`),
          h('span', { class: 'num muted' }, t === undefined ? '–' : trim(t.quoteVolume)),
        ),
      );
    });
    fill(byId('markets'), ...rows);
  }
}
