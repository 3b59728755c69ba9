import type { MarketDataView } from '../../marketdata/market-data-view.ts';
import type { ReadModelQueries } from '../../storage/read-model-port.ts';
import type { MarketCatalog } from '../binance/market-catalog.ts';
import type { RateLimiter } from '../limits/rate-limiter.ts';
import type { ListenKeyRegistry } from '../ws/listen-keys.ts';
import type { DepthCache } from './depth-cache.ts';
import type { ExchangePort } from './exchange-port.ts';
import type { OrderIndex } from './order-index.ts';

/** Everything the REST handlers read or call; built by the server's composition root. */
export interface ApiDeps {
  readonly exchange: ExchangePort;
  readonly readModel: ReadModelQueries;
  readonly marketData: MarketDataView;
  readonly depthCache: DepthCache;
  readonly catalog: MarketCatalog;
  /** Orders as the engine last left them, for answers that cannot wait for the read model. */
  readonly orders: OrderIndex;
  readonly limiter: RateLimiter;
  readonly listenKeys: ListenKeyRegistry;
  /** Commands in flight above which new commands get -1008 (server busy). @default 10000 */
  readonly maxInFlight: number;
}
