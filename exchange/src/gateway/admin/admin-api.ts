import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { AmountFormatError, formatAmount, parseAmount } from '../../domain/amount.ts';
import type { UnstampedCommand } from '../../domain/commands.ts';
import {
  FEE_RATE_SCALE,
  type MarketSpec,
  type SelfTradePreventionMode,
  STP_MODES,
} from '../../domain/market.ts';
import type { AnalyticsPort } from '../../storage/analytics-port.ts';
import type { ReadModelQueries } from '../../storage/read-model-port.ts';
import type { AccountStore } from '../auth/account-store.ts';
import type { ApiKeyPermission } from '../auth/api-key-lookup.ts';
import { requirePermissions } from '../auth/permission-policy.ts';
import type { MarketCatalog } from '../binance/market-catalog.ts';
import type { ExchangePort } from '../rest/exchange-port.ts';
import type { StaticSite } from '../web/static-site.ts';

export interface AdminApiDeps {
  readonly accounts: AccountStore;
  readonly exchange: ExchangePort;
  readonly readModel: ReadModelQueries;
  readonly catalog: MarketCatalog;
  readonly logger: Logger;
  readonly clock: () => number;
  /** The operator console's files (/console and its assets), served without the token: they hold no data. @default - no console */
  readonly console?: StaticSite;
  /**
   * Reports, on the analytics replica of the trading database.
   * @default - none: the report endpoints answer 503
   */
  readonly analytics?: AnalyticsPort;
  /** The projection's position on the primary, to show how many commands the replica trails. */
  readonly projectedSeq?: () => number;
}

export interface AdminApiOptions {
  /** Never 0.0.0.0: the admin API is for the machine itself. @default '127.0.0.1' */
  readonly host: string;
  readonly port: number;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token: string;
}

/** An answer other than 200, with a message for the operator. */
class AdminError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

type Handler = (body: Record<string, unknown>, match: RegExpExecArray, url: URL) => Promise<unknown>;

const MAX_BODY_BYTES = 16_384;

/**
 * The operator's API on its own port: users and API keys, deposits and withdrawals, halting and
 * resuming markets. JSON in and out; every request carries the admin token. Money moves only as
 * commands through the sequencer, like every other change of state.
 */
export class AdminApi {
  readonly server: Server;
  readonly #deps: AdminApiDeps;
  readonly #options: AdminApiOptions;
  readonly #token: Buffer;
  readonly #routes: { method: string; pattern: RegExp; handle: Handler }[];

  constructor(deps: AdminApiDeps, options: AdminApiOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#token = Buffer.from(options.token);
    this.#routes = this.#table();
    this.server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => {
      this.#onRequest(req, res).catch((error: unknown) =>
        deps.logger.error({ err: error }, 'admin request fault'),
      );
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.#options.port, this.#options.host, () => {
        const address = this.server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin');
    const send = (status: number, value: unknown) => {
      const text = JSON.stringify(value);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
      this.#deps.logger.info(
        { admin: true, method: req.method, path: url.pathname, status },
        'admin request',
      );
    };
    // The console page and its scripts carry no data; everything they show comes from /admin/*, which
    // needs the token like any other client.
    if (this.#deps.console?.serve(req.method, url.pathname, res) === true) return;
    try {
      if (!this.#authorized(req.headers.authorization))
        throw new AdminError(401, 'missing or wrong admin token');
      const route = this.#routes.find((r) => r.method === req.method && r.pattern.test(url.pathname));
      if (route === undefined) throw new AdminError(404, `no admin endpoint ${req.method} ${url.pathname}`);
      const body = req.method === 'POST' || req.method === 'PUT' ? await readJson(req) : {};
      send(200, await route.handle(body, route.pattern.exec(url.pathname)!, url));
    } catch (error) {
      if (error instanceof AdminError) send(error.status, { error: error.message });
      else {
        this.#deps.logger.error({ err: error }, 'admin handler fault');
        send(500, { error: 'internal error' });
      }
    }
  }

  #authorized(header: string | undefined): boolean {
    if (header === undefined || !header.startsWith('Bearer ')) return false;
    const given = Buffer.from(header.slice(7));
    return given.length === this.#token.length && timingSafeEqual(given, this.#token);
  }

  async #submit(command: UnstampedCommand): Promise<{ seq: number }> {
    const result = await this.#deps.exchange.submit(command);
    const rejected = result.events.find((e) => e.type === 'Rejected');
    if (rejected !== undefined) throw new AdminError(409, `rejected by the engine: ${rejected.reason}`);
    return { seq: result.seq };
  }

  #amount(asset: unknown, amount: unknown): { asset: string; minor: number } {
    const decimals = this.#decimalsOf(asset);
    return { asset: asset as string, minor: decimal('amount', amount, decimals) };
  }

  #decimalsOf(asset: unknown): number {
    const decimals = typeof asset === 'string' ? this.#deps.catalog.assetDecimals(asset) : undefined;
    if (decimals === undefined) throw new AdminError(400, `asset ${JSON.stringify(asset)} is unknown`);
    return decimals;
  }

  /** A market from the admin's JSON: amounts as decimal strings in its assets' units, fees as fractions. */
  #marketSpec(body: Record<string, unknown>): MarketSpec {
    const text = (name: string): string => {
      const value = body[name];
      if (typeof value !== 'string') throw new AdminError(400, `${name} must be a string`);
      return value;
    };
    const symbol = text('symbol');
    const base = text('base');
    const quote = text('quote');
    const b = this.#decimalsOf(base);
    const q = this.#decimalsOf(quote);
    const lotSize = decimal('lotSize', body.lotSize, b);
    const fee = (name: string): number => {
      const ppm = decimal(name, body[name] ?? DEFAULT_FEE, FEE_DECIMALS);
      // The engine takes rates below the whole amount only.
      if (ppm >= FEE_RATE_SCALE) throw new AdminError(400, `${name} must be a fraction less than 1`);
      return ppm;
    };
    const stp = body.selfTradePreventionMode ?? 'EXPIRE_MAKER';
    if (!STP_MODES.includes(stp as SelfTradePreventionMode)) {
      throw new AdminError(400, `selfTradePreventionMode must be one of ${STP_MODES.join(', ')}`);
    }
    return {
      symbol,
      base,
      quote,
      tickSize: decimal('tickSize', body.tickSize, q),
      lotSize,
      minQty: body.minQty === undefined ? lotSize : decimal('minQty', body.minQty, b),
      maxQty: decimal('maxQty', body.maxQty, b),
      minNotional: decimal('minNotional', body.minNotional ?? '0', q),
      makerFeePpm: fee('makerFee'),
      takerFeePpm: fee('takerFee'),
      defaultStpMode: stp as SelfTradePreventionMode,
    };
  }

  /** The analytics reports: rows from the replica, amounts formatted, and the replica's lag beside them. */
  #reports(): { method: string; pattern: RegExp; handle: Handler }[] {
    const { catalog } = this.#deps;
    const amount = (value: number, asset: string) => formatAmount(value, catalog.assetDecimals(asset) ?? 0);
    const day = (name: string, value: string | null, end: boolean): number | undefined => {
      if (value === null || value === '') return undefined;
      const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number(value);
      if (!Number.isSafeInteger(ms)) {
        throw new AdminError(
          400,
          `${name} ${JSON.stringify(value)} is invalid: use a UTC day (2026-12-01) or ms`,
        );
      }
      return end && /^\d{4}-\d{2}-\d{2}$/.test(value) ? ms + 86_399_999 : ms;
    };
    const report = async (name: string, rows: () => Promise<unknown[]>) => {
      const analytics = this.#deps.analytics;
      if (analytics === undefined) {
        throw new AdminError(
          503,
          'reports run on the analytics replica: start with storage "mariadb" and mariadbReplicaPort set',
        );
      }
      // The primary's projection first holds every command answered so far, so that seqBehind counts
      // them all; the replica may still trail it, which the lag says.
      await this.#deps.exchange.caughtUp();
      // The lag before the rows: rows read afterwards are at least as new as the position it names
      // (read together, the replica could apply a batch between them and the rows would trail it).
      const lag = await analytics.lag();
      const answer = await rows();
      const primarySeq = this.#deps.projectedSeq?.();
      return {
        report: name,
        lag: {
          ...lag,
          ...(primarySeq !== undefined && {
            primarySeq,
            seqBehind: Math.max(0, primarySeq - lag.replicaSeq),
          }),
        },
        rows: answer,
      };
    };
    return [
      {
        method: 'GET',
        pattern: /^\/admin\/reports\/market-days$/,
        handle: async (_body, _match, url) => {
          const symbol = url.searchParams.get('symbol');
          const from = day('from', url.searchParams.get('from'), false);
          const to = day('to', url.searchParams.get('to'), true);
          return report('market-days', async () =>
            (
              await this.#deps.analytics!.marketDays({
                ...(symbol !== null && { symbol }),
                ...(from !== undefined && { startTime: from }),
                ...(to !== undefined && { endTime: to }),
              })
            ).map((r) => ({
              symbol: r.symbol,
              day: new Date(r.day).toISOString().slice(0, 10),
              volume: amount(r.volume, r.base),
              quoteVolume: amount(r.quoteVolume, r.quote),
              tradeCount: r.tradeCount,
              fees: [
                { asset: r.base, amount: amount(r.baseFees, r.base) },
                { asset: r.quote, amount: amount(r.quoteFees, r.quote) },
              ],
              activeTraders: r.activeTraders,
              ordersPlaced: r.ordersPlaced,
              orderToTradeRatio: r.orderToTradeRatio,
            })),
          );
        },
      },
      {
        method: 'GET',
        pattern: /^\/admin\/reports\/user-volume$/,
        handle: async (_body, _match, url) => {
          const userId = Number(url.searchParams.get('userId'));
          if (!Number.isSafeInteger(userId) || userId < 0) {
            throw new AdminError(400, `userId ${JSON.stringify(url.searchParams.get('userId'))} is invalid`);
          }
          const from = day('from', url.searchParams.get('from'), false);
          const to = day('to', url.searchParams.get('to'), true);
          return report('user-volume', async () =>
            (
              await this.#deps.analytics!.userVolume({
                userId,
                ...(from !== undefined && { startTime: from }),
                ...(to !== undefined && { endTime: to }),
              })
            ).map((r) => ({
              symbol: r.symbol,
              trades: r.trades,
              volume: amount(r.volume, r.base),
              quoteVolume: amount(r.quoteVolume, r.quote),
              feesPaid: [
                { asset: r.base, amount: amount(r.baseFees, r.base) },
                { asset: r.quote, amount: amount(r.quoteFees, r.quote) },
              ],
            })),
          );
        },
      },
    ];
  }

  #table(): { method: string; pattern: RegExp; handle: Handler }[] {
    const { accounts, readModel, catalog, clock } = this.#deps;
    const userId = async (value: unknown): Promise<number> => {
      const id = typeof value === 'string' ? Number(value) : value;
      if (typeof id !== 'number' || !Number.isSafeInteger(id) || !(await accounts.hasUser(id))) {
        throw new AdminError(404, `user ${JSON.stringify(value)} does not exist`);
      }
      return id;
    };
    const invalid = (error: unknown): never => {
      throw new AdminError(400, error instanceof Error ? error.message : String(error));
    };
    const permissions = (value: unknown): ApiKeyPermission[] => {
      if (value === undefined) return ['READ', 'TRADE'];
      if (!Array.isArray(value)) {
        throw new AdminError(
          400,
          `permissions ${JSON.stringify(value)} are invalid: use a list of READ and TRADE`,
        );
      }
      // The one rule of what a key may hold (READ always), checked here for a clear 400.
      try {
        return requirePermissions(value);
      } catch (error) {
        return invalid(error);
      }
    };
    const publicKey = (value: unknown): string | undefined => {
      if (value === undefined) return undefined;
      if (typeof value !== 'string') {
        throw new AdminError(400, 'publicKey must be a string: the Ed25519 public key as PEM (SPKI)');
      }
      return value;
    };
    // An HMAC key with a fresh secret, or, given `publicKey`, an Ed25519 key the user generated.
    const createKey = async (id: number, perms: ApiKeyPermission[], pem: string | undefined) => {
      try {
        return pem === undefined
          ? await accounts.createApiKey(id, perms, clock())
          : await accounts.registerEd25519Key(id, perms, pem, clock());
      } catch (error) {
        return invalid(error);
      }
    };
    return [
      ...this.#reports(),
      {
        method: 'GET',
        pattern: /^\/admin\/users$/,
        handle: async () => accounts.users(),
      },
      {
        method: 'POST',
        pattern: /^\/admin\/users$/,
        handle: async (body) => {
          const perms = permissions(body.permissions);
          const pem = publicKey(body.publicKey);
          try {
            return {
              name: body.name,
              ...(await accounts.createUserWithKey(String(body.name ?? ''), perms, pem, clock())),
            };
          } catch (error) {
            return invalid(error);
          }
        },
      },
      {
        method: 'POST',
        pattern: /^\/admin\/users\/(\d+)\/api-keys$/,
        handle: async (body, match) =>
          createKey(await userId(match[1]), permissions(body.permissions), publicKey(body.publicKey)),
      },
      {
        method: 'PUT',
        pattern: /^\/admin\/api-keys\/([A-Za-z0-9]{1,128})$/,
        handle: async (body, match) => {
          if (body.permissions === undefined)
            throw new AdminError(400, 'give permissions, a list of READ and TRADE (READ always among them)');
          const apiKey = match[1]!;
          if ((await accounts.identify(apiKey)) === undefined)
            throw new AdminError(404, `API key ${apiKey} does not exist`);
          return {
            apiKey,
            permissions: await accounts.setApiKeyPermissions(apiKey, permissions(body.permissions)),
          };
        },
      },
      {
        method: 'DELETE',
        pattern: /^\/admin\/api-keys\/([A-Za-z0-9]{1,128})$/,
        handle: async (_body, match) => {
          const apiKey = match[1]!;
          if (!(await accounts.revokeApiKey(apiKey)))
            throw new AdminError(404, `API key ${apiKey} does not exist`);
          return { apiKey, revoked: true };
        },
      },
      {
        method: 'GET',
        pattern: /^\/admin\/users\/(\d+)\/balances$/,
        handle: async (_body, match) => {
          const id = await userId(match[1]);
          await this.#deps.exchange.caughtUp();
          return (await readModel.balances(id)).map((b) => {
            const d = catalog.assetDecimals(b.asset) ?? 0;
            return { asset: b.asset, free: formatAmount(b.available, d), locked: formatAmount(b.locked, d) };
          });
        },
      },
      {
        method: 'POST',
        pattern: /^\/admin\/deposits$/,
        handle: async (body) => {
          const id = await userId(body.userId);
          const { asset, minor } = this.#amount(body.asset, body.amount);
          return this.#submit({ type: 'Deposit', userId: id, asset, amount: minor });
        },
      },
      {
        method: 'POST',
        pattern: /^\/admin\/withdrawals$/,
        handle: async (body) => {
          const id = await userId(body.userId);
          const { asset, minor } = this.#amount(body.asset, body.amount);
          const withdrawalId =
            typeof body.withdrawalId === 'string' ? body.withdrawalId : `w-${clock().toString(36)}-${id}`;
          const { seq } = await this.#submit({
            type: 'RequestWithdrawal',
            withdrawalId,
            userId: id,
            asset,
            amount: minor,
          });
          return { seq, withdrawalId };
        },
      },
      {
        method: 'POST',
        pattern: /^\/admin\/withdrawals\/([^/]{1,64})\/complete$/,
        handle: async (_body, match) =>
          this.#submit({ type: 'CompleteWithdrawal', withdrawalId: decodeURIComponent(match[1]!) }),
      },
      {
        method: 'POST',
        pattern: /^\/admin\/withdrawals\/([^/]{1,64})\/fail$/,
        handle: async (_body, match) =>
          this.#submit({ type: 'FailWithdrawal', withdrawalId: decodeURIComponent(match[1]!) }),
      },
      {
        method: 'POST',
        pattern: /^\/admin\/assets$/,
        handle: async (body) => {
          const { asset, decimals } = body;
          if (typeof asset !== 'string' || typeof decimals !== 'number') {
            throw new AdminError(400, 'give asset (its name, such as SOL) and decimals (an integer)');
          }
          return this.#submit({ type: 'AddAsset', asset, decimals });
        },
      },
      {
        method: 'POST',
        pattern: /^\/admin\/markets$/,
        handle: async (body) => this.#submit({ type: 'ListMarket', ...this.#marketSpec(body) }),
      },
      {
        method: 'GET',
        pattern: /^\/admin\/markets$/,
        handle: async () =>
          [...catalog.markets()].map((m) => ({
            symbol: m.spec.symbol,
            base: m.spec.base,
            quote: m.spec.quote,
            status: m.status,
          })),
      },
      {
        method: 'POST',
        pattern: /^\/admin\/markets\/([A-Z0-9]{1,24})\/halt$/,
        handle: async (_body, match) => this.#submit({ type: 'HaltMarket', symbol: match[1]! }),
      },
      {
        method: 'POST',
        pattern: /^\/admin\/markets\/([A-Z0-9]{1,24})\/resume$/,
        handle: async (_body, match) => this.#submit({ type: 'ResumeMarket', symbol: match[1]! }),
      },
    ];
  }
}

/** Fees are parts per million: a fraction with six decimals. */
const FEE_DECIMALS = 6;
/** 0.1%, Binance's base rate. */
const DEFAULT_FEE = '0.001';

/** A decimal string in minor units of `decimals` places; a 400 naming the field otherwise. */
function decimal(name: string, value: unknown, decimals: number): number {
  if (typeof value !== 'string')
    throw new AdminError(400, `${name} ${JSON.stringify(value)} must be a decimal string`);
  try {
    return parseAmount(value, decimals);
  } catch (error) {
    if (error instanceof AmountFormatError) throw new AdminError(400, `${name} ${error.message}`);
    throw error;
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new AdminError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new AdminError(400, 'the body must be a JSON object');
  }
}
