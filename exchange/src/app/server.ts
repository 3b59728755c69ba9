/**
 * The server's composition root: `npm start`. One process holds the embedded exchange (journal,
 * snapshots, engine, SQLite read model), the market data projection, the REST gateway and the
 * WebSocket gateway on one port, the admin API on another (127.0.0.1), and the demo market maker.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { AdminApi } from '../gateway/admin/admin-api.ts';
import type { NewApiKey } from '../gateway/auth/account-store.ts';
import { SecretBox } from '../gateway/auth/secret-box.ts';
import { SqliteAccountStore } from '../gateway/auth/sqlite/sqlite-account-store.ts';
import { MarketCatalog } from '../gateway/binance/market-catalog.ts';
import { RateLimiter } from '../gateway/limits/rate-limiter.ts';
import { accountRoutes } from '../gateway/rest/account-routes.ts';
import type { ApiDeps } from '../gateway/rest/api-deps.ts';
import { DepthCache } from '../gateway/rest/depth-cache.ts';
import type { ExchangePort } from '../gateway/rest/exchange-port.ts';
import { HttpGateway } from '../gateway/rest/http-gateway.ts';
import { docsRoutes } from '../gateway/rest/openapi.ts';
import { OrderIndex } from '../gateway/rest/order-index.ts';
import { orderRoutes } from '../gateway/rest/order-routes.ts';
import { publicRoutes } from '../gateway/rest/public-routes.ts';
import { RouteDispatcher } from '../gateway/rest/route-dispatcher.ts';
import { ListenKeyRegistry } from '../gateway/ws/listen-keys.ts';
import { UserDataFeed } from '../gateway/ws/user-data-feed.ts';
import { attachWebSocketGateway, type WebSocketGateway } from '../gateway/ws/ws-gateway.ts';
import { MarketData } from '../marketdata/market-data.ts';
import { ConfigError, loadConfig, type ServerConfig } from './config.ts';
import { adminToken, masterKey } from './data-dir-secrets.ts';
import { createDemoUsers, DEMO_MARKETS, listDemoMarkets, MARKET_MAKER_USERS } from './demo-setup.ts';
import { EmbeddedExchange } from './embedded-exchange.ts';
import { MarketMaker } from './market-maker.ts';
import { restoreMarketStats } from './restore-market-stats.ts';
import { loadTls } from './tls.ts';
import { operatorConsole, tradingPage } from './web-pages.ts';

export interface RunningServer {
  readonly port: number;
  readonly adminPort: number;
  /** http(s)://host:port */
  readonly baseUrl: string;
  readonly adminUrl: string;
  readonly adminToken: string;
  readonly exchange: EmbeddedExchange;
  readonly accounts: SqliteAccountStore;
  readonly marketData: MarketData;
  /** The demo traders' keys, when this start created them; shown once. */
  readonly demoKeys: readonly (NewApiKey & { readonly name: string })[];
  readonly adminTokenGenerated: boolean;
  /** Drains requests, stops the market maker, takes a final snapshot and closes every file. */
  close(): Promise<void>;
}

/** Where the admin CLI finds the running server's admin API. */
export const ADMIN_ENDPOINT_FILE = 'admin-endpoint.json';

export interface StartOptions {
  /** The one clock of the server: sequencer stamps, rate-limit windows, recvWindow. @default Date.now */
  readonly clock?: () => number;
}

export async function startServer(
  config: ServerConfig,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningServer> {
  mkdirSync(config.dataDir, { recursive: true });
  const clock = options.clock ?? Date.now;
  const accounts = SqliteAccountStore.open(
    join(config.dataDir, 'accounts.sqlite'),
    new SecretBox(masterKey(config.dataDir, config.masterKey)),
  );
  const admin = adminToken(config.dataDir, config.adminToken);
  const tls = loadTls(config);
  const exchange = await EmbeddedExchange.open({
    dataDir: config.dataDir,
    batchWindowMs: config.batchWindowMs,
    clock,
    onSnapshotReplicaFailure: (error) =>
      logger.error({ err: error }, 'the snapshot replica failed; snapshots are taken on the main thread'),
  });
  await exchange.projector.flush();
  const { readModel, projector, engine, sequencer } = exchange;
  const catalog = MarketCatalog.from(await readModel.assets(), await readModel.markets());
  const snapshot = engine.snapshot();
  const marketData = MarketData.fromSnapshot(snapshot);
  const userData = UserDataFeed.fromSnapshot(snapshot);
  const depthCache = new DepthCache(marketData);
  // Orders from before this start are not in the index; answers about them come from the read model.
  const orders = new OrderIndex();
  marketData.subscribe((update) => {
    for (const s of update.symbols)
      if (s.bids.length > 0 || s.asks.length > 0) depthCache.invalidate(s.symbol);
  });
  // The 24-hour statistics come back from the read model's trades up to the snapshot: the projection
  // holds all of them (flushed above), and nothing is sequenced before the port below exists, so
  // every trade is counted once, here or from the live feed.
  await restoreMarketStats(marketData, readModel, clock());
  sequencer.subscribe((events, command) => {
    catalog.apply(events);
    orders.apply(events);
    marketData.apply(events, command.seq);
    userData.apply(events, command.seq);
  });

  const port: ExchangePort = {
    submit: (command) => sequencer.submit(command),
    submitWith: (command, done) => sequencer.submitWith(command, done),
    inFlight: () => sequencer.inFlight(),
    // Every command acknowledged so far is at or below engine.lastSeq.
    caughtUp: () => projector.whenApplied(engine.lastSeq),
  };

  let demoKeys: readonly (NewApiKey & { name: string })[] = [];
  const firstStart = engine.assets.all().length === 0;
  if (firstStart && config.demo) {
    await listDemoMarkets(port.submit);
    demoKeys = (await createDemoUsers(port.submit, accounts, clock())).traders;
    logger.info(
      { markets: DEMO_MARKETS.map((m) => m.symbol) },
      'first start: demo markets and users created',
    );
  }

  const limiter = new RateLimiter({
    requestWeightPerMinute: config.requestWeightPerMinute,
    ordersPer10s: config.ordersPer10s,
    ordersPerDay: config.ordersPerDay,
    banAfterRejected: config.banAfterRejected,
    banSeconds: config.banSeconds,
    connectionsPer5Min: config.wsConnectionsPer5Min,
    failedAuthPerMinute: config.failedAuthPerMinute,
  });
  const listenKeys = new ListenKeyRegistry({ clock });
  const sweep = setInterval(() => listenKeys.sweep(), 60_000);
  sweep.unref();
  const deps: ApiDeps = {
    exchange: port,
    readModel,
    marketData,
    depthCache,
    catalog,
    orders,
    limiter,
    listenKeys,
    maxInFlight: config.maxInFlight,
  };
  const apiRoutes = [...publicRoutes(deps), ...orderRoutes(deps), ...accountRoutes(deps)];
  // One dispatcher runs the route table for both doors: REST, and the WebSocket API's methods.
  const routes = new RouteDispatcher([...apiRoutes, ...docsRoutes(apiRoutes)], {
    limiter,
    caughtUp: port.caughtUp,
  });
  const http = new HttpGateway(
    routes,
    {
      keys: accounts,
      limiter,
      logger,
      clock,
      site: tradingPage(config.webRoot, logger),
    },
    {
      host: config.host,
      port: config.port,
      ...(tls !== undefined && { tls }),
      maxBodyBytes: config.maxBodyBytes,
      maxHeaderBytes: config.maxHeaderBytes,
      headersTimeoutMs: config.headersTimeoutMs,
      requestTimeoutMs: config.requestTimeoutMs,
      keepAliveTimeoutMs: config.keepAliveTimeoutMs,
      trustProxy: config.trustProxy,
    },
  );
  const ws: WebSocketGateway = attachWebSocketGateway(
    http.server,
    { marketData, userData, apiKeys: accounts, listenKeys, limiter, routes, logger },
    {
      clock,
      maxIncomingMessagesPerSecond: config.wsMessagesPerSecond,
      maxStreamsPerConnection: config.wsStreamsPerConnection,
      trustProxy: config.trustProxy,
    },
  );
  const adminApi = new AdminApi(
    {
      accounts,
      exchange: port,
      readModel,
      catalog,
      logger,
      clock,
      console: operatorConsole(config.webRoot, logger),
    },
    { host: '127.0.0.1', port: config.adminPort, token: admin.token },
  );
  const listenPort = await http.listen();
  const adminPort = await adminApi.listen();
  const scheme = tls === undefined ? 'http' : 'https';
  const baseUrl = `${scheme}://${config.host}:${listenPort}`;
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  writeFileSync(join(config.dataDir, ADMIN_ENDPOINT_FILE), `${JSON.stringify({ url: adminUrl })}\n`);

  let maker: MarketMaker | undefined;
  const makerId = accounts.userByName(MARKET_MAKER_USERS.maker);
  const takerId = accounts.userByName(MARKET_MAKER_USERS.taker);
  if (config.marketMaker && makerId !== undefined && takerId !== undefined) {
    const startMids: Record<string, { mid: number; size: number }> = {
      BTCUSDT: { mid: 60_000, size: 0.05 },
      ETHUSDT: { mid: 3_000, size: 0.5 },
      ETHBTC: { mid: 0.05, size: 0.5 },
    };
    const quoted = [];
    for (const m of catalog.markets()) {
      const start = startMids[m.spec.symbol];
      if (start === undefined) continue;
      // On a restart, quote around where the book is rather than the demo's starting price.
      const book = marketData.bookTicker(m.spec.symbol);
      const mid =
        book !== undefined && book.bidPrice > 0 && book.askPrice > 0
          ? (book.bidPrice + book.askPrice) / 2 / 10 ** m.quoteDecimals
          : start.mid;
      quoted.push({
        spec: m.spec,
        baseDecimals: m.baseDecimals,
        quoteDecimals: m.quoteDecimals,
        mid,
        size: start.size,
      });
    }
    maker = new MarketMaker(port.submit, {
      makerUserId: makerId,
      takerUserId: takerId,
      markets: quoted,
      intervalMs: config.marketMakerIntervalMs,
    });
    maker.start();
  }
  logger.info(
    { url: baseUrl, admin: adminUrl, dataDir: config.dataDir, marketMaker: maker !== undefined },
    'listening',
  );

  let closed: Promise<void> | undefined;
  return {
    port: listenPort,
    adminPort,
    baseUrl,
    adminUrl,
    adminToken: admin.token,
    adminTokenGenerated: admin.generated,
    exchange,
    accounts,
    marketData,
    demoKeys,
    close: () => {
      closed ??= (async () => {
        await maker?.stop();
        // WebSockets first: an upgraded socket keeps the HTTP server's close waiting for ever.
        await ws.close();
        await http.close(config.shutdownTimeoutMs);
        await adminApi.close();
        clearInterval(sweep);
        await exchange.close();
        accounts.close();
        logger.info('closed: final snapshot taken');
      })();
      return closed;
    },
  };
}

async function main(): Promise<void> {
  let config: ServerConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`bourse: configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  // pino never sees a secret: request lines carry the path, never the query, headers or body.
  const logger = pino({ level: config.logLevel, base: { service: 'bourse' } });
  const server = await startServer(config, logger);
  if (server.demoKeys.length > 0 || server.adminTokenGenerated) {
    // Shown once, on the terminal (stderr), never in the log: stdout stays JSON lines for a collector.
    const lines = ['', '  Bourse first start: demo accounts (shown once; keep them)', ''];
    for (const k of server.demoKeys) {
      lines.push(
        `  ${k.name.padEnd(6)} userId ${k.userId}`,
        `    API key    ${k.apiKey}`,
        `    secret key ${k.secretKey}`,
      );
    }
    if (server.adminTokenGenerated)
      lines.push('', `  admin token written to ${join(config.dataDir, 'admin-token')} (0600)`);
    lines.push(
      '',
      `  REST ${server.baseUrl}/api/v3   docs ${server.baseUrl}/docs   admin ${server.adminUrl}`,
      '',
    );
    process.stderr.write(`${lines.join('\n')}\n`);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.fatal({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error('bourse: failed to start:', error);
    process.exit(1);
  });
}
