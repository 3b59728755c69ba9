import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import type { UnstampedCommand } from '../../src/domain/commands.ts';
import type { EngineEvent } from '../../src/domain/events.ts';
import {
  DEFAULT_RATE_LIMITS,
  RateLimiter,
  type RateLimitOptions,
} from '../../src/gateway/limits/rate-limiter.ts';
import type { Route } from '../../src/gateway/rest/route.ts';
import { RouteDispatcher } from '../../src/gateway/rest/route-dispatcher.ts';
import { ListenKeyRegistry } from '../../src/gateway/ws/listen-keys.ts';
import { UserDataFeed } from '../../src/gateway/ws/user-data-feed.ts';
import {
  attachWebSocketGateway,
  type WebSocketGateway,
  type WebSocketGatewayOptions,
} from '../../src/gateway/ws/ws-gateway.ts';
import { MarketData } from '../../src/marketdata/market-data.ts';
import { btc, EngineDriver, usdt } from './engine-driver.ts';
import { MemoryApiKeys } from './memory-api-keys.ts';

/**
 * A real http server on 127.0.0.1, port 0, with the WebSocket gateway on it, fed by an engine driven
 * in process: each command's events go to market data and user data, as the sequencer hands them on.
 */
export class WsHarness {
  readonly driver = EngineDriver.withMarket({ makerFeePpm: 1_000, takerFeePpm: 2_000 });
  readonly marketData = new MarketData();
  readonly userData = new UserDataFeed();
  readonly apiKeys = new MemoryApiKeys();
  readonly listenKeys: ListenKeyRegistry;
  readonly limiter: RateLimiter;
  readonly server: Server;
  gateway!: WebSocketGateway;
  base = '';

  private constructor(listenKeys: ListenKeyRegistry, limits: RateLimitOptions) {
    this.listenKeys = listenKeys;
    this.limiter = new RateLimiter(limits);
    this.server = createServer((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
    // Stamp commands with the real time from here on, as the sequencer does: timers compare with it.
    this.driver.ts = Date.now();
    for (const command of this.driver.log)
      this.feed(
        this.driver.events.filter((e) => e.seq === command.seq),
        command.seq,
      );
  }

  static async start(
    options: WebSocketGatewayOptions = {},
    listenKeys = new ListenKeyRegistry(),
    limits: Partial<RateLimitOptions> = {},
    api: { readonly routes?: readonly Route[]; readonly logger?: Logger } = {},
  ): Promise<WsHarness> {
    const harness = new WsHarness(listenKeys, { ...DEFAULT_RATE_LIMITS, ...limits });
    harness.gateway = attachWebSocketGateway(
      harness.server,
      {
        marketData: harness.marketData,
        userData: harness.userData,
        apiKeys: harness.apiKeys,
        listenKeys: harness.listenKeys,
        limiter: harness.limiter,
        // Routes only when a test gives some: the harness is for the streams and the session's own methods.
        routes: new RouteDispatcher(api.routes ?? [], {
          limiter: harness.limiter,
          caughtUp: () => Promise.resolve(),
        }),
        logger: api.logger ?? pino({ level: 'error' }),
      },
      options,
    );
    await new Promise<void>((resolve) => harness.server.listen(0, '127.0.0.1', resolve));
    const { port } = harness.server.address() as AddressInfo;
    harness.base = `ws://127.0.0.1:${port}`;
    for (let user = 1; user <= 8; user++) {
      harness.send({ type: 'Deposit', userId: user, asset: 'BTC', amount: btc(100) });
      harness.send({ type: 'Deposit', userId: user, asset: 'USDT', amount: usdt(10_000_000) });
    }
    return harness;
  }

  send(command: UnstampedCommand): EngineEvent[] {
    const events = this.driver.send(command);
    this.feed(events, this.driver.seq);
    return events;
  }

  /** Cancels every resting order, so each test starts from an empty book. */
  clearBook(): void {
    const users = new Set([...this.driver.engine.orders.all()].map((o) => o.userId));
    for (const userId of users) this.send({ type: 'CancelAllOrders', userId, symbol: 'BTCUSDT' });
  }

  private feed(events: readonly EngineEvent[], seq: number): void {
    this.marketData.apply(events, seq);
    this.userData.apply(events, seq);
  }

  async stop(): Promise<void> {
    await this.gateway.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
