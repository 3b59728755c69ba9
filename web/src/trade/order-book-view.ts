import { add, compare, trim } from '../lib/decimal.ts';
import { byId, fill, h, throttled } from '../lib/dom.ts';
import { type DepthSnapshot, type DepthUpdate, type Level, LocalBook } from '../lib/local-book.ts';
import type { AppContext, Panel } from './app-context.ts';
import type { SymbolRules } from './symbol-rules.ts';

const ROWS = 14;

/**
 * The live order book, kept with Binance's local-book procedure from `<symbol>@depth@100ms` and a
 * REST snapshot, with a depth view: each row's bar is the cumulative size from the best price, and
 * a depth chart draws both sides' cumulative curves.
 */
export class OrderBookView implements Panel {
  readonly #ctx: AppContext;
  readonly #book = new LocalBook();
  readonly #render = throttled(() => this.#draw());
  #symbol = '';
  /** Bumped by every resync, so a snapshot that arrives for an older one is dropped. */
  #generation = 0;
  /** Sets the order form's price when a row is chosen. */
  onPick: (price: string) => void = () => {};

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  selectMarket(rules: SymbolRules): void {
    this.#symbol = rules.symbol;
    this.resync();
  }

  /** Drops the book and loads a fresh snapshot (after a gap, a reconnect, or a change of market). */
  resync(): void {
    this.#book.reset();
    this.#render();
    const generation = ++this.#generation;
    this.#loadSnapshot(this.#symbol, generation).catch((error: unknown) => this.#ctx.report(error));
  }

  onDiff(diff: DepthUpdate & { s: string }): void {
    if (diff.s !== this.#symbol) return;
    if (!this.#book.update(diff)) {
      this.resync();
      return;
    }
    this.#render();
  }

  /** The book as the page holds it, for tests and the depth chart. */
  get state(): { lastUpdateId: number | undefined; bids: Level[]; asks: Level[] } {
    return {
      lastUpdateId: this.#book.lastUpdateId,
      bids: this.#book.bids(1000),
      asks: this.#book.asks(1000),
    };
  }

  async #loadSnapshot(symbol: string, generation: number): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      // Let the stream's first diffs arrive, so the snapshot is not older than the buffer.
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      const snapshot = await this.#ctx.rest.get<DepthSnapshot>('/api/v3/depth', { symbol, limit: 1000 });
      if (generation !== this.#generation) return;
      if (this.#book.load(snapshot)) {
        this.#render();
        return;
      }
      this.#book.reset();
    }
    throw new Error(`the order book of ${symbol} could not be synchronized; retrying on the next update`);
  }

  #draw(): void {
    const root = byId('book');
    root.dataset.lastUpdateId = String(this.#book.lastUpdateId ?? '');
    if (!this.#book.ready) {
      fill(byId('book-asks'), h('li', { class: 'muted' }, 'Loading…'));
      fill(byId('book-bids'));
      return;
    }
    const asks = this.#book.asks(ROWS);
    const bids = this.#book.bids(ROWS);
    const askTotals = cumulative(asks);
    const bidTotals = cumulative(bids);
    const max = [askTotals.at(-1) ?? '0', bidTotals.at(-1) ?? '0'].sort(compare).at(-1)!;
    const row = (side: 'bid' | 'ask', [price, qty]: Level, total: string) =>
      h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            class: `level ${side}`,
            style: `--depth:${share(total, max)}%`,
            title: `Use ${trim(price)} as the order price`,
            onclick: () => this.onPick(trim(price)),
          },
          h('span', { class: 'num price' }, trim(price)),
          h('span', { class: 'num' }, trim(qty)),
          h('span', { class: 'num muted' }, trim(total)),
        ),
      );
    fill(byId('book-asks'), ...asks.map((level, i) => row('ask', level, askTotals[i]!)).reverse());
    fill(byId('book-bids'), ...bids.map((level, i) => row('bid', level, bidTotals[i]!)));
    const spread =
      asks[0] !== undefined && bids[0] !== undefined ? `${trim(bids[0][0])} / ${trim(asks[0][0])}` : '–';
    fill(byId('book-spread'), spread);
    drawDepthChart(byId<HTMLCanvasElement>('depth-chart'), bids, bidTotals, asks, askTotals, max);
  }
}

function cumulative(levels: readonly Level[]): string[] {
  const totals: string[] = [];
  let sum = '0';
  for (const [, qty] of levels) {
    sum = add(sum, qty);
    totals.push(sum);
  }
  return totals;
}

/** A bar's width as a percentage: display only, so a float is fine here. */
function share(part: string, whole: string): number {
  const w = Number(whole);
  return w === 0 ? 0 : Math.round((Number(part) / w) * 100);
}

function drawDepthChart(
  canvas: HTMLCanvasElement,
  bids: readonly Level[],
  bidTotals: readonly string[],
  asks: readonly Level[],
  askTotals: readonly string[],
  max: string,
): void {
  const context = canvas.getContext('2d');
  if (context === null) return;
  const width = canvas.clientWidth * devicePixelRatio;
  const height = canvas.clientHeight * devicePixelRatio;
  canvas.width = width;
  canvas.height = height;
  context.clearRect(0, 0, width, height);
  const top = Number(max);
  if (top === 0) return;
  const half = width / 2;
  const plot = (totals: readonly string[], toLeft: boolean, color: string) => {
    context.beginPath();
    context.moveTo(half, height);
    totals.forEach((total, i) => {
      const x = toLeft ? half - ((i + 1) / totals.length) * half : half + ((i + 1) / totals.length) * half;
      const y = height - (Number(total) / top) * height * 0.9;
      context.lineTo(x, y);
    });
    context.lineTo(toLeft ? 0 : width, height);
    context.closePath();
    context.fillStyle = color;
    context.fill();
  };
  if (bids.length > 0) plot(bidTotals, true, 'rgba(14, 203, 129, 0.35)');
  if (asks.length > 0) plot(askTotals, false, 'rgba(246, 70, 93, 0.35)');
}
