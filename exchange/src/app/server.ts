/**
 * The server's composition root: `npm start`. One process holds the embedded exchange (journal,
 * snapshots, engine, read model), the market data projection, the REST gateway and the WebSocket
 * gateway on one port, the admin API on another (127.0.0.1), and the demo market maker. The read
 * model and the accounts are SQLite files in the data folder, or, with `storage` 'mariadb', the
 * trading and back-office databases on MariaDB.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import pino, { type Logger } from 'pino';
import { AdminApi } from '../gateway/admin/admin-api.ts';
import type { AccountStore, NewApiKey } from '../gateway/auth/account-store.ts';
import { ApiKeyCache } from '../gateway/auth/api-key-cache.ts';
import { MariaDbAccountStore } from '../gateway/auth/mariadb/mariadb-account-store.ts';
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
import { createExchangeMetrics, type ExchangeMetrics } from '../ops/metrics/exchange-metrics.ts';
import { MetricsServer } from '../ops/metrics/metrics-server.ts';
import { type ExchangeTracing, startExchangeTracing } from '../ops/tracing/exchange-tracing.ts';
import { acquireExclusiveLock } from '../runtime/exclusive-lock.ts';
import { ensurePrivateDir, tightenModes } from '../runtime/owner-only.ts';
import { MariaDbAnalytics } from '../storage/mariadb/mariadb-analytics.ts';
import { MariaDbReadModel } from '../storage/mariadb/mariadb-read-model.ts';
import { ConfigError, loadConfig, mariadbDatabases, type ServerConfig } from './config.ts';
import { adminToken, masterKey } from './data-dir-secrets.ts';
import { createDemoUsers, DEMO_MARKETS, listDemoMarkets, MARKET_MAKER_USERS } from './demo-setup.ts';
import { EmbeddedExchange, type FaultComponent } from './embedded-exchange.ts';
import { healthProbes } from './health.ts';
import { ACCEPT_LOG_LOSS_FLAG } from './log-loss.ts';
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
  readonly accounts: AccountStore;
  readonly marketData: MarketData;
  /** The tracer, when traceSamplePercent is above 0. */
  readonly tracing: ExchangeTracing | undefined;
  /** /metrics and /health, when `metrics` is on. */
  readonly metrics: { readonly url: string; readonly collector: ExchangeMetrics } | undefined;
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
  /**
   * The operator accepts the loss of the log's commands after this seq (`--accept-log-loss=<seq>`),
   * the answer to a start refused because a store is ahead of the log. @default - refuse
   */
  readonly acceptLogLossAfterSeq?: number;
}

export async function startServer(
  config: ServerConfig,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningServer> {
  ensurePrivateDir(config.dataDir);
  // Before anything is read: one exchange per data folder.
  const lock = acquireExclusiveLock(config.dataDir, 'exchange');
  let exchange: EmbeddedExchange;
  let accounts: AccountStore;
  let apiKeys: ApiKeyCache;
  let admin: { token: string; generated: boolean };
  let tls: ReturnType<typeof loadTls>;
  const clock = options.clock ?? Date.now;
  const mariadb = config.storage === 'mariadb' ? mariadbDatabases(config) : undefined;
  const onRetry = (error: unknown, attempt: number) =>
    logger.warn({ err: error, attempt }, 'MariaDB connection lost; retrying');
  try {
    const loosened = tightenModes(config.dataDir);
    if (loosened.length > 0) {
      logger.warn(
        { paths: loosened },
        'the data folder let other users in: its folders are now 0700 and its files 0600',
      );
    }
    const box = new SecretBox(masterKey(config.dataDir, config.masterKey));
    const onPollError = (error: unknown) =>
      logger.error({ err: error }, 'reading the API key change log failed');
    accounts =
      mariadb === undefined
        ? await SqliteAccountStore.open(join(config.dataDir, 'accounts.sqlite'), box, { onPollError })
        : await MariaDbAccountStore.open({ ...mariadb.backOffice, onPollError, onRetry }, box);
    // Requests check keys in memory; the store's change feed keeps the cache fresh.
    apiKeys = await ApiKeyCache.load(accounts);
    admin = adminToken(config.dataDir, config.adminToken);
    tls = loadTls(config);
    exchange = await EmbeddedExchange.open({
      dataDir: config.dataDir,
      ...(mariadb !== undefined && {
        readModel: await MariaDbReadModel.open({ ...mariadb.trading, onRetry }),
      }),
      batchWindowMs: config.batchWindowMs,
      clock,
      ...(options.acceptLogLossAfterSeq !== undefined && {
        acceptLogLossAfterSeq: options.acceptLogLossAfterSeq,
      }),
      onFault: ({ component, error }) => logFault(logger, component, error),
      onRecoveryStep: ({ step, level, ...figures }) =>
        level === 'warn'
          ? logger.warn(figures, `recovery: ${step}`)
          : logger.info(figures, `recovery: ${step}`),
    });
  } catch (error) {
    lock.release();
    throw error;
  }
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
    submitWith: (command, done, context) => sequencer.submitWith(command, done, context),
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
      keys: apiKeys,
      limiter,
      logger,
      clock,
      site: tradingPage(config.webRoot, logger),
      probes: healthProbes(() => exchange.health(), { maxReadModelLag: config.readyMaxReadModelLag }),
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
    { marketData, userData, apiKeys, listenKeys, limiter, routes, logger },
    {
      clock,
      maxIncomingMessagesPerSecond: config.wsMessagesPerSecond,
      maxStreamsPerConnection: config.wsStreamsPerConnection,
      trustProxy: config.trustProxy,
    },
  );
  const analytics = mariadb?.replica === undefined ? undefined : await MariaDbAnalytics.open(mariadb.replica);
  const adminApi = new AdminApi(
    {
      accounts,
      exchange: port,
      readModel,
      catalog,
      logger,
      clock,
      console: operatorConsole(config.webRoot, logger),
      ...(analytics !== undefined && { analytics, projectedSeq: () => projector.appliedSeq }),
    },
    { host: '127.0.0.1', port: config.adminPort, token: admin.token },
  );
  const metrics = config.metrics ? await startMetrics(config, exchange, marketData, ws) : undefined;
  // Off by default: a sampled request pays for its spans; an unsampled one for one check per channel.
  const tracing: ExchangeTracing | undefined =
    config.traceSamplePercent === 0
      ? undefined
      : startExchangeTracing({
          service: config.serviceName,
          sampleRatio: config.traceSamplePercent / 100,
          exporter: new ZipkinExporter({ url: config.zipkinUrl, serviceName: config.serviceName }),
        });
  const listenPort = await http.listen();
  const adminPort = await adminApi.listen();
  const scheme = tls === undefined ? 'http' : 'https';
  const baseUrl = `${scheme}://${config.host}:${listenPort}`;
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  writeFileSync(join(config.dataDir, ADMIN_ENDPOINT_FILE), `${JSON.stringify({ url: adminUrl })}\n`, {
    mode: 0o600,
  });

  let maker: MarketMaker | undefined;
  const makerId = await accounts.userByName(MARKET_MAKER_USERS.maker);
  const takerId = await accounts.userByName(MARKET_MAKER_USERS.taker);
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
    metrics: metrics === undefined ? undefined : { url: metrics.url, collector: metrics.collector },
    tracing,
    demoKeys,
    close: () => {
      closed ??= (async () => {
        await maker?.stop();
        // WebSockets first: an upgraded socket keeps the HTTP server's close waiting for ever.
        await ws.close();
        await http.close(config.shutdownTimeoutMs);
        await adminApi.close();
        await metrics?.server.close();
        await tracing?.close();
        metrics?.collector.stop();
        clearInterval(sweep);
        await exchange.close();
        apiKeys.close();
        await analytics?.close();
        await accounts.close();
        lock.release();
        logger.info('closed: final snapshot taken');
      })();
      return closed;
    },
  };
}

/**
 * The metrics of every part of this process, by subscription to the core's channels, and the
 * scrape endpoint. Started before the API listens, so the first request is counted.
 */
async function startMetrics(
  config: ServerConfig,
  exchange: EmbeddedExchange,
  marketData: MarketData,
  ws: WebSocketGateway,
): Promise<{ url: string; collector: ExchangeMetrics; server: MetricsServer }> {
  const { engine, projector, sequencer, journal, snapshotter } = exchange;
  const collector = createExchangeMetrics({
    service: config.serviceName,
    readModelSeq: () => projector.appliedSeq,
    engineSeq: () => engine.lastSeq,
    inFlight: () => sequencer.inFlight(),
    journalSegments: () => journal.segments().length,
    books: () =>
      marketData.symbols().flatMap((symbol) => {
        const book = marketData.book(symbol);
        if (book === undefined) return [];
        return [{ symbol, orders: book.orderCount, bidLevels: book.bids.size, askLevels: book.asks.size }];
      }),
    webSockets: () => ws.stats(),
  });
  const health = () => {
    const stopped = sequencer.stoppedBy() ?? projector.fault;
    const snapshotFailure = snapshotter.lastFailure();
    return {
      ok: stopped === undefined,
      service: config.serviceName,
      engineSeq: engine.lastSeq,
      readModelSeq: projector.appliedSeq,
      inFlight: sequencer.inFlight(),
      ...(stopped !== undefined && { stoppedBy: String(stopped) }),
      ...(snapshotFailure !== null && { lastSnapshotFailure: String(snapshotFailure) }),
    };
  };
  const server = new MetricsServer(collector.registry, health, {
    host: config.host,
    port: config.metricsPort,
  });
  const port = await server.listen();
  return { url: `http://${config.host}:${port}`, collector, server };
}

/**
 * The process's log: JSON lines on stdout, each with `service` (the Vector sidecar and the log
 * pipeline key on it), and on request lines `reqId` and, when traced, `traceId`
 * (infra/images/vector/vector.yaml parses them; test/ops/log-fields.test.ts holds the two together).
 */
export function createLogger(config: ServerConfig): Logger {
  return pino({ level: config.logLevel, base: { service: config.serviceName } });
}

/** What the journal said went wrong, once, at error level, with the cause's chain. */
function logFault(logger: Logger, component: FaultComponent, error: unknown): void {
  const consequence: Record<FaultComponent, string> = {
    sequencer: 'the sequencer stopped: every order is refused until a restart',
    'read model': 'the read model stopped projecting: reads wait until a restart',
    snapshots: 'a snapshot failed: nothing is lost (the log holds it all); the next one retries',
    'snapshot replica': 'the snapshot replica failed; snapshots are taken on the main thread',
  };
  logger.error({ err: error, component }, consequence[component]);
}

/** The command line of `npm start -- ...`: only the one-shot operator flags; settings are in config. */
export function parseStartArgs(argv: readonly string[]): StartOptions {
  let acceptLogLossAfterSeq: number | undefined;
  for (const arg of argv) {
    const [name, value] = arg.split('=', 2) as [string, string | undefined];
    if (name === ACCEPT_LOG_LOSS_FLAG) {
      const seq = Number(value);
      if (value === undefined || !/^\d+$/.test(value) || !Number.isSafeInteger(seq)) {
        throw new ConfigError(
          `${ACCEPT_LOG_LOSS_FLAG} needs the log's last seq, as the refused start named it: ${ACCEPT_LOG_LOSS_FLAG}=<seq>, got "${arg}"`,
        );
      }
      acceptLogLossAfterSeq = seq;
    } else {
      throw new ConfigError(
        `unknown argument "${arg}": settings come from BOURSE_* variables or BOURSE_CONFIG`,
      );
    }
  }
  return acceptLogLossAfterSeq === undefined ? {} : { acceptLogLossAfterSeq };
}

async function main(): Promise<void> {
  let config: ServerConfig;
  let startOptions: StartOptions;
  try {
    config = loadConfig();
    startOptions = parseStartArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`bourse: configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  // pino never sees a secret: request lines carry the path, never the query, headers or body.
  const logger = createLogger(config);
  let server: RunningServer;
  try {
    server = await startServer(config, logger, startOptions);
  } catch (error) {
    // One line a collector keeps, and the reason on the terminal.
    logger.fatal({ err: error }, 'start refused');
    console.error(`bourse: failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
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
