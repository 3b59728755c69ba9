import type { EngineEvent } from '../../domain/events.ts';
import type { MarketSpec, MarketStatus } from '../../domain/market.ts';
import type { AssetRow, MarketRow } from '../../storage/read-model-rows.ts';
import { errors } from './api-error.ts';

export interface CatalogMarket {
  readonly spec: MarketSpec;
  readonly baseDecimals: number;
  readonly quoteDecimals: number;
  status: MarketStatus;
}

/**
 * What the gateway knows of assets and markets: decimals to parse and format amounts, filters to
 * publish. Loaded from the read model at start and kept current from the engine's events.
 */
export class MarketCatalog {
  readonly #assets = new Map<string, number>();
  readonly #markets = new Map<string, CatalogMarket>();
  #version = 0;

  static from(assets: readonly AssetRow[], markets: readonly MarketRow[]): MarketCatalog {
    const catalog = new MarketCatalog();
    for (const asset of assets) catalog.#assets.set(asset.asset, asset.decimals);
    // In listing order, as the live catalog grows: lists read the same before and after a restart.
    for (const row of [...markets].sort((a, b) => a.listedSeq - b.listedSeq)) {
      const { status, listedSeq: _l, updatedSeq: _u, ...spec } = row;
      catalog.#list(spec, status);
    }
    return catalog;
  }

  /** Bumped on every change, so caches keyed on it (exchangeInfo) stay right. */
  get version(): number {
    return this.#version;
  }

  /** Follows the engine's events; call with each command's events. */
  apply(events: readonly EngineEvent[]): void {
    for (const event of events) {
      switch (event.type) {
        case 'AssetAdded':
          this.#assets.set(event.asset, event.decimals);
          this.#version++;
          break;
        case 'MarketListed':
          this.#list(event.market, 'TRADING');
          break;
        case 'MarketHalted':
        case 'MarketResumed': {
          const market = this.#markets.get(event.symbol);
          if (market !== undefined) market.status = event.type === 'MarketHalted' ? 'HALTED' : 'TRADING';
          this.#version++;
          break;
        }
      }
    }
  }

  #list(spec: MarketSpec, status: MarketStatus): void {
    const baseDecimals = this.#assets.get(spec.base) ?? 0;
    const quoteDecimals = this.#assets.get(spec.quote) ?? 0;
    this.#markets.set(spec.symbol, { spec, baseDecimals, quoteDecimals, status });
    this.#version++;
  }

  market(symbol: string): CatalogMarket | undefined {
    return this.#markets.get(symbol);
  }

  /** The market, or Binance's -1121. */
  require(symbol: string): CatalogMarket {
    const market = this.#markets.get(symbol);
    if (market === undefined) throw errors.badSymbol();
    return market;
  }

  markets(): IterableIterator<CatalogMarket> {
    return this.#markets.values();
  }

  assetDecimals(asset: string): number | undefined {
    return this.#assets.get(asset);
  }

  assets(): IterableIterator<[string, number]> {
    return this.#assets.entries();
  }
}
