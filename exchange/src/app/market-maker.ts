import type { UnstampedCommand } from '../domain/commands.ts';
import type { MarketSpec } from '../domain/market.ts';
import type { CommandResult } from '../sequencer/sequencer.ts';

/**
 * Keeps the demo books alive: a maker account quotes a ladder on each side of a mid price that
 * wanders (a geometric random walk, a few basis points a step), refreshed every interval; a taker
 * account now and then crosses the spread with a small market order, so there are trades, candles
 * and tickers to look at. Everything goes through the sequencer like any client's orders.
 */
export interface QuotedMarket {
  readonly spec: MarketSpec;
  readonly baseDecimals: number;
  readonly quoteDecimals: number;
  /** Starting mid, in quote units per whole base unit. */
  readonly mid: number;
  /** Typical quote size, in whole base units. */
  readonly size: number;
}

export interface MarketMakerOptions {
  readonly makerUserId: number;
  readonly takerUserId: number;
  readonly markets: readonly QuotedMarket[];
  /** @default 1000 */
  readonly intervalMs?: number;
  /** Price levels per side. @default 5 */
  readonly levels?: number;
  /** Half-spread of the first level, as a fraction of the mid. @default 0.0005 */
  readonly halfSpread?: number;
  /** Chance per market and interval of a taker trade. @default 0.3 */
  readonly tradeProbability?: number;
  /** @default Math.random */
  readonly random?: () => number;
}

type Submit = (command: UnstampedCommand) => Promise<CommandResult>;

export class MarketMaker {
  readonly #submit: Submit;
  readonly #options: Required<MarketMakerOptions>;
  readonly #mids: number[];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(submit: Submit, options: MarketMakerOptions) {
    this.#submit = submit;
    this.#options = {
      intervalMs: 1000,
      levels: 5,
      halfSpread: 0.0005,
      tradeProbability: 0.3,
      random: Math.random,
      ...options,
    };
    this.#mids = options.markets.map((m) => m.mid);
  }

  start(): void {
    const tick = () => {
      if (this.#stopped) return;
      this.#running = this.#step().finally(() => {
        this.#running = undefined;
        if (!this.#stopped) this.#timer = setTimeout(tick, this.#options.intervalMs);
      });
    };
    tick();
  }

  /** Stops after the current step; its orders stay on the book. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  async #step(): Promise<void> {
    const { markets } = this.#options;
    for (let i = 0; i < markets.length; i++) {
      if (this.#stopped) return;
      const market = markets[i]!;
      this.#mids[i] = this.#mids[i]! * Math.exp(this.#gaussian() * 0.0008);
      try {
        await this.#quote(market, this.#mids[i]!);
        if (this.#options.random() < this.#options.tradeProbability)
          await this.#trade(market, this.#mids[i]!);
      } catch {
        // The pipeline stopped or is shutting down: the next step, if any, tries again.
        return;
      }
    }
  }

  async #quote(market: QuotedMarket, mid: number): Promise<void> {
    const { makerUserId, levels, halfSpread } = this.#options;
    const { spec } = market;
    await this.#submit({ type: 'CancelAllOrders', userId: makerUserId, symbol: spec.symbol });
    const sends: Promise<CommandResult>[] = [];
    for (let level = 0; level < levels; level++) {
      const offset = halfSpread * (1 + level * 1.5);
      for (const side of ['BUY', 'SELL'] as const) {
        const price = this.#price(market, side === 'BUY' ? mid * (1 - offset) : mid * (1 + offset), side);
        const quantity = this.#quantity(market, market.size * (0.5 + this.#options.random() * (1 + level)));
        if (price <= 0 || quantity <= 0) continue;
        sends.push(
          this.#submit({
            type: 'PlaceOrder',
            userId: makerUserId,
            symbol: spec.symbol,
            side,
            orderType: 'LIMIT_MAKER',
            price,
            quantity,
          }),
        );
      }
    }
    await Promise.all(sends);
  }

  async #trade(market: QuotedMarket, mid: number): Promise<void> {
    const side = this.#options.random() < 0.5 ? 'BUY' : 'SELL';
    // Worth at least twice the minimum notional at the mid: the engine values a MARKET order at the
    // average price, which trails the mid, and refuses one worth less than the minimum.
    const least = (2 * market.spec.minNotional) / 10 ** market.quoteDecimals / mid;
    const quantity = this.#quantity(market, Math.max(least, market.size * this.#options.random() * 0.5));
    if (quantity <= 0) return;
    await this.#submit({
      type: 'PlaceOrder',
      userId: this.#options.takerUserId,
      symbol: market.spec.symbol,
      side,
      orderType: 'MARKET',
      quantity,
    });
  }

  /** Minor units on the tick, rounded away from the mid so quotes never cross. */
  #price(market: QuotedMarket, price: number, side: 'BUY' | 'SELL'): number {
    const tick = market.spec.tickSize;
    const ticks = (price * 10 ** market.quoteDecimals) / tick;
    return (side === 'BUY' ? Math.floor(ticks) : Math.ceil(ticks)) * tick;
  }

  /** Minor units on the lot, at least the minimum. */
  #quantity(market: QuotedMarket, quantity: number): number {
    const { lotSize, minQty } = market.spec;
    const lots = Math.floor((quantity * 10 ** market.baseDecimals) / lotSize);
    return Math.max(lots * lotSize, minQty);
  }

  #gaussian(): number {
    const u = Math.max(this.#options.random(), Number.EPSILON);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.#options.random());
  }
}
