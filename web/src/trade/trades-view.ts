import { trim } from '../lib/decimal.ts';
import { byId, fill, formatTime, h } from '../lib/dom.ts';
import type { AppContext, Panel } from './app-context.ts';
import type { SymbolRules } from './symbol-rules.ts';

interface Trade {
  readonly id: number;
  readonly price: string;
  readonly qty: string;
  readonly time: number;
  readonly buyer: boolean;
}

const KEEP = 40;

/** Recent trades of the chosen market: the REST list, then `<symbol>@trade` as trades happen. */
export class TradesView implements Panel {
  readonly #ctx: AppContext;
  #symbol = '';
  #trades: Trade[] = [];

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  selectMarket(rules: SymbolRules): void {
    this.#symbol = rules.symbol;
    this.#trades = [];
    this.reload();
  }

  reload(): void {
    const symbol = this.#symbol;
    this.#ctx.rest
      .get<{ id: number; price: string; qty: string; time: number; isBuyerMaker: boolean }[]>(
        '/api/v3/trades',
        { symbol, limit: KEEP },
      )
      .then((list) => {
        if (symbol !== this.#symbol) return;
        this.#trades = list
          .map((t) => ({ id: t.id, price: t.price, qty: t.qty, time: t.time, buyer: !t.isBuyerMaker }))
          .reverse();
        this.#draw();
      })
      .catch((error: unknown) => this.#ctx.report(error));
  }

  onTrade(event: { s: string; t: number; p: string; q: string; T: number; m: boolean }): void {
    if (event.s !== this.#symbol || this.#trades.some((t) => t.id === event.t)) return;
    this.#trades.unshift({ id: event.t, price: event.p, qty: event.q, time: event.T, buyer: !event.m });
    this.#trades.length = Math.min(this.#trades.length, KEEP);
    this.#draw();
  }

  #draw(): void {
    fill(
      byId('trades'),
      ...this.#trades.map((t) =>
        h(
          'tr',
          {},
          h('td', { class: `num ${t.buyer ? 'up' : 'down'}` }, trim(t.price)),
          h('td', { class: 'num' }, trim(t.qty)),
          h('td', { class: 'num muted' }, formatTime(t.time).slice(11)),
        ),
      ),
    );
  }
}
