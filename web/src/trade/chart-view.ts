import {
  CandlestickSeries,
  createChart,
  HistogramSeries,
  type IChartApi,
  type ISeriesApi,
  type UTCTimestamp,
} from 'lightweight-charts';
import { byId, fill, h } from '../lib/dom.ts';
import type { AppContext, Panel } from './app-context.ts';
import type { SymbolRules } from './symbol-rules.ts';

export const INTERVALS = ['1m', '5m', '15m', '1h', '4h', '1d', '1w'] as const;
export type ChartInterval = (typeof INTERVALS)[number];

/** A candle as the chart holds it; prices are strings from the API, drawn as numbers (display only). */
interface Candle {
  readonly time: UTCTimestamp;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly up: boolean;
}

/** Candlesticks with volume (TradingView's lightweight-charts), from klines and `<symbol>@kline_<interval>`. */
export class ChartView implements Panel {
  readonly #ctx: AppContext;
  readonly #chart: IChartApi;
  readonly #candles: ISeriesApi<'Candlestick'>;
  readonly #volume: ISeriesApi<'Histogram'>;
  #symbol = '';
  #interval: ChartInterval = '1m';
  /** The newest candle drawn, for tests and the page's title. */
  last: { openTime: number; close: string; volume: string } | undefined;
  /** Asked to change the kline stream when the interval changes. */
  onInterval: (interval: ChartInterval) => void = () => {};

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    const element = byId('chart');
    this.#chart = createChart(element, {
      autoSize: true,
      layout: { background: { color: 'transparent' }, textColor: '#b7bdc6', attributionLogo: true },
      grid: { vertLines: { color: '#2b3139' }, horzLines: { color: '#2b3139' } },
      timeScale: { timeVisible: true, secondsVisible: false },
    });
    this.#candles = this.#chart.addSeries(CandlestickSeries, {
      upColor: '#0ecb81',
      downColor: '#f6465d',
      wickUpColor: '#0ecb81',
      wickDownColor: '#f6465d',
      borderVisible: false,
    });
    this.#volume = this.#chart.addSeries(HistogramSeries, {
      priceScaleId: 'volume',
      priceFormat: { type: 'volume' },
    });
    this.#chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    fill(
      byId('intervals'),
      ...INTERVALS.map((interval) =>
        h(
          'button',
          {
            type: 'button',
            'aria-pressed': String(interval === this.#interval),
            'data-interval': interval,
            onclick: () => this.#choose(interval),
          },
          interval,
        ),
      ),
    );
  }

  get interval(): ChartInterval {
    return this.#interval;
  }

  selectMarket(rules: SymbolRules): void {
    this.#symbol = rules.symbol;
    this.reload();
  }

  reload(): void {
    const symbol = this.#symbol;
    const interval = this.#interval;
    this.#ctx.rest
      .get<[number, string, string, string, string, string][]>('/api/v3/klines', {
        symbol,
        interval,
        limit: 500,
      })
      .then((rows) => {
        if (symbol !== this.#symbol || interval !== this.#interval) return;
        const candles = rows.map((r) => candle(r[0], r[1], r[2], r[3], r[4], r[5]));
        this.#candles.setData(candles);
        this.#volume.setData(candles.map(volumeBar));
        const newest = rows.at(-1);
        this.last =
          newest === undefined ? undefined : { openTime: newest[0], close: newest[4], volume: newest[5] };
        this.#chart.timeScale().scrollToRealTime();
      })
      .catch((error: unknown) => this.#ctx.report(error));
  }

  onKline(event: {
    s: string;
    k: { t: number; i: string; o: string; h: string; l: string; c: string; v: string };
  }): void {
    const k = event.k;
    if (event.s !== this.#symbol || k.i !== this.#interval) return;
    const c = candle(k.t, k.o, k.h, k.l, k.c, k.v);
    this.#candles.update(c);
    this.#volume.update(volumeBar(c));
    this.last = { openTime: k.t, close: k.c, volume: k.v };
  }

  #choose(interval: ChartInterval): void {
    this.#interval = interval;
    for (const button of byId('intervals').querySelectorAll('button'))
      button.setAttribute('aria-pressed', String(button.dataset.interval === interval));
    this.onInterval(interval);
    this.reload();
  }
}

function candle(openTime: number, o: string, hi: string, lo: string, c: string, v: string): Candle {
  return {
    time: (openTime / 1000) as UTCTimestamp,
    open: Number(o),
    high: Number(hi),
    low: Number(lo),
    close: Number(c),
    volume: Number(v),
    up: Number(c) >= Number(o),
  };
}

function volumeBar(c: Candle): { time: UTCTimestamp; value: number; color: string } {
  return { time: c.time, value: c.volume, color: c.up ? 'rgba(14,203,129,0.5)' : 'rgba(246,70,93,0.5)' };
}
