import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig, type ServerConfig } from '../../../src/app/config.ts';
import { type RunningServer, startServer } from '../../../src/app/server.ts';
import type { ApiKeyPermission } from '../../../src/gateway/auth/api-key-lookup.ts';
import { signEd25519 } from '../../support/memory-api-keys.ts';

export interface ApiKey {
  readonly userId: number;
  readonly apiKey: string;
  readonly secretKey: string;
}

/** An Ed25519 API key: Bourse holds the public key, the client signs with the private key. */
export interface Ed25519ApiKey {
  readonly userId: number;
  readonly apiKey: string;
  readonly privateKey: KeyObject;
}

export interface Reply<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** A settable clock, so tests can place trades at chosen times and hold rate-limit windows still. */
export class TestClock {
  now: number;
  constructor(start: number) {
    this.now = start;
  }
  readonly read = (): number => this.now;
}

/**
 * A real server on an ephemeral port over a fresh data folder, with the demo markets and no market
 * maker, and an HTTP client that speaks Binance's signing.
 */
export class ApiHarness {
  readonly server: RunningServer;
  readonly dataDir: string;
  readonly clock: TestClock | undefined;
  private readonly overrides: Partial<ServerConfig>;
  /** The demo traders' keys, shown by the first start only. */
  private readonly demoKeys: RunningServer['demoKeys'];

  private constructor(
    server: RunningServer,
    dataDir: string,
    clock: TestClock | undefined,
    overrides: Partial<ServerConfig>,
    demoKeys: RunningServer['demoKeys'],
  ) {
    this.server = server;
    this.dataDir = dataDir;
    this.clock = clock;
    this.overrides = overrides;
    this.demoKeys = demoKeys;
  }

  static start(overrides: Partial<ServerConfig> = {}, clock?: TestClock): Promise<ApiHarness> {
    return ApiHarness.open(mkdtempSync(join(tmpdir(), 'bourse-api-')), overrides, clock, undefined);
  }

  /** Closes the server and starts a new one on the same data folder, settings and clock. */
  async restart(): Promise<ApiHarness> {
    await this.server.close();
    return ApiHarness.open(this.dataDir, this.overrides, this.clock, this.demoKeys);
  }

  private static async open(
    dataDir: string,
    overrides: Partial<ServerConfig>,
    clock: TestClock | undefined,
    demoKeys: RunningServer['demoKeys'] | undefined,
  ): Promise<ApiHarness> {
    const config = loadConfig(
      {},
      {
        dataDir,
        port: 0,
        adminPort: 0,
        metricsPort: 0,
        marketMaker: false,
        logLevel: 'silent',
        batchWindowMs: 0,
        ...overrides,
      },
    );
    const server = await startServer(
      config,
      pino({ level: 'silent' }),
      clock === undefined ? {} : { clock: clock.read },
    );
    return new ApiHarness(server, dataDir, clock, overrides, demoKeys ?? server.demoKeys);
  }

  async close(): Promise<void> {
    await this.server.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  now(): number {
    return this.clock?.now ?? Date.now();
  }

  /** A demo trader's key: alice is user 1, bob user 2, each with 10 BTC, 100 ETH, 1,000,000 USDT. */
  trader(name: 'alice' | 'bob'): ApiKey {
    const key = this.demoKeys.find((k) => k.name === name);
    if (key === undefined) throw new Error(`no demo trader ${name}`);
    return key;
  }

  /** A new user through the admin API, funded with `deposits` ({asset: amount}). */
  async user(
    name: string,
    permissions: ApiKeyPermission[],
    deposits: Record<string, string> = {},
  ): Promise<ApiKey> {
    const created = await this.admin<ApiKey>('POST', '/admin/users', { name, permissions });
    if (created.status !== 200) throw new Error(`create user: ${JSON.stringify(created.body)}`);
    for (const [asset, amount] of Object.entries(deposits)) {
      const r = await this.admin('POST', '/admin/deposits', { userId: created.body.userId, asset, amount });
      if (r.status !== 200) throw new Error(`deposit: ${JSON.stringify(r.body)}`);
    }
    return created.body;
  }

  /** A new user whose API key is an Ed25519 key generated here, funded with `deposits`. */
  async ed25519User(
    name: string,
    permissions: ApiKeyPermission[],
    deposits: Record<string, string> = {},
  ): Promise<Ed25519ApiKey> {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ type: 'spki', format: 'pem' });
    const created = await this.admin<{ userId: number; apiKey: string; keyType: string }>(
      'POST',
      '/admin/users',
      { name, permissions, publicKey: pem },
    );
    if (created.status !== 200 || created.body.keyType !== 'ED25519') {
      throw new Error(`create user: ${JSON.stringify(created.body)}`);
    }
    for (const [asset, amount] of Object.entries(deposits)) {
      const r = await this.admin('POST', '/admin/deposits', { userId: created.body.userId, asset, amount });
      if (r.status !== 200) throw new Error(`deposit: ${JSON.stringify(r.body)}`);
    }
    return { userId: created.body.userId, apiKey: created.body.apiKey, privateKey };
  }

  async admin<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    token = this.server.adminToken,
  ): Promise<Reply<T>> {
    const response = await fetch(`${this.server.adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as T };
  }

  /** An unsigned request; `query` is sent exactly as given. */
  async raw<T = unknown>(
    method: string,
    path: string,
    query = '',
    init: { body?: string; apiKey?: string; headers?: Record<string, string> } = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.apiKey !== undefined) headers['X-MBX-APIKEY'] = init.apiKey;
    if (init.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(`${this.server.baseUrl}${path}${query === '' ? '' : `?${query}`}`, {
      method,
      headers,
      ...(init.body !== undefined && { body: init.body }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text === '' ? undefined : JSON.parse(text)) as T,
    };
  }

  get<T = unknown>(path: string, params: Record<string, string | number> = {}): Promise<Reply<T>> {
    return this.raw<T>('GET', path, encode(params));
  }

  /**
   * A SIGNED request: timestamp added (unless given), HMAC-SHA256 over the query string, sent in the
   * query (GET, DELETE) or as a form body (POST, PUT), as Binance clients do.
   */
  signed<T = unknown>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    key: ApiKey,
    params: Record<string, string | number> = {},
    options: { secret?: string; signature?: string; inBody?: boolean; headers?: Record<string, string> } = {},
  ): Promise<Reply<T>> {
    return this.#signedWith<T>(
      method,
      path,
      key.apiKey,
      params,
      options.inBody,
      (payload) => options.signature ?? sign(payload, options.secret ?? key.secretKey),
      options.headers,
    );
  }

  /**
   * A SIGNED request with an Ed25519 key: the base64 Ed25519 signature of the same payload,
   * percent-encoded as Binance asks ('+', '/' and '=' would otherwise be read as form syntax).
   */
  signedEd25519<T = unknown>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    key: Ed25519ApiKey,
    params: Record<string, string | number> = {},
    options: { signature?: string; inBody?: boolean } = {},
  ): Promise<Reply<T>> {
    return this.#signedWith<T>(method, path, key.apiKey, params, options.inBody, (payload) =>
      encodeURIComponent(options.signature ?? signEd25519(payload, key.privateKey)),
    );
  }

  /** Adds the timestamp (unless given), signs the query string and sends it in the query or the body. */
  #signedWith<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    apiKey: string,
    params: Record<string, string | number>,
    inBodyOption: boolean | undefined,
    signatureOf: (payload: string) => string,
    headers: Record<string, string> = {},
  ): Promise<Reply<T>> {
    const all = { ...params };
    if (all.timestamp === undefined) all.timestamp = this.now();
    const payload = encode(all);
    const signedText = `${payload}&signature=${signatureOf(payload)}`;
    const inBody = inBodyOption ?? (method === 'POST' || method === 'PUT');
    return inBody
      ? this.raw<T>(method, path, '', { body: signedText, apiKey, headers })
      : this.raw<T>(method, path, signedText, { apiKey, headers });
  }
}

export function encode(params: Record<string, string | number>): string {
  return Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
}

export function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/** Binance's error body. */
export interface ErrorBody {
  readonly code: number;
  readonly msg: string;
}
