import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_BATCH_WINDOW_MS } from '../journal/file/file-journal-options.ts';
import {
  checkMariaDbOptions,
  MariaDbConfigError,
  type MariaDbOptions,
} from '../runtime/mariadb/mariadb-options.ts';
import { DEFAULT_WEB_ROOT } from './web-pages.ts';

/**
 * The server's configuration: defaults, overridden by a JSON file (path in BOURSE_CONFIG), overridden
 * by environment variables. Everything is checked at start; a bad value stops the server with a
 * message that quotes it and says what would do.
 */
export interface ServerConfig {
  /** Journal, snapshots, read model, accounts, keys. @default './data' */
  readonly dataDir: string;
  /** @default '127.0.0.1' */
  readonly host: string;
  /** REST and WebSocket port; 0 picks a free one. @default 8080 */
  readonly port: number;
  /** The admin API, always on 127.0.0.1. @default 8081 */
  readonly adminPort: number;
  /** @default - read from <dataDir>/admin-token, generated there at first start */
  readonly adminToken: string | undefined;
  /** 64 hex digits (AES-256) sealing API secrets. @default - <dataDir>/master.key, generated at first start */
  readonly masterKey: string | undefined;
  /** 'off', 'self-signed' (made with the openssl CLI into <dataDir>/tls) or 'files'. @default 'off' */
  readonly tls: 'off' | 'self-signed' | 'files';
  readonly tlsCertFile: string | undefined;
  readonly tlsKeyFile: string | undefined;
  /** @default 'info' */
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Create the demo markets and users on a first start with no data. @default true */
  readonly demo: boolean;
  /** Run the market maker. @default true */
  readonly marketMaker: boolean;
  /** Time between the market maker's quote refreshes. @default 1000 */
  readonly marketMakerIntervalMs: number;
  /** @default 6000 */
  readonly requestWeightPerMinute: number;
  /** @default 100 */
  readonly ordersPer10s: number;
  /** @default 200000 */
  readonly ordersPerDay: number;
  /** Requests refused with 429 in one minute before an IP is banned (418). @default 50 */
  readonly banAfterRejected: number;
  /** @default 120 */
  readonly banSeconds: number;
  /** WebSocket connections (streams and API) one IP may open in each five minutes. @default 300, as Binance */
  readonly wsConnectionsPer5Min: number;
  /** Failed authentications (bad signature, unknown key) one IP may make in a minute. @default 30 */
  readonly failedAuthPerMinute: number;
  /**
   * Messages a market-stream WebSocket (/ws, /stream) may send in any second (requests, pings,
   * unsolicited pongs); one more closes it. @default 5, as Binance
   */
  readonly wsMessagesPerSecond: number;
  /** Streams one market-stream WebSocket may listen to. @default 1024, as Binance */
  readonly wsStreamsPerConnection: number;
  /** @default 65536 */
  readonly maxBodyBytes: number;
  /** @default 16384 */
  readonly maxHeaderBytes: number;
  /** @default 10000 */
  readonly headersTimeoutMs: number;
  /** @default 30000 */
  readonly requestTimeoutMs: number;
  /** @default 5000 */
  readonly keepAliveTimeoutMs: number;
  /** Time SIGTERM gives in-flight requests to finish. @default 10000 */
  readonly shutdownTimeoutMs: number;
  /** Commands in flight above which new ones are refused as busy. @default 10000 */
  readonly maxInFlight: number;
  /**
   * /ready answers 503 while the read model lags the engine by more than this many commands: reads
   * would wait that long for a client's own writes. @default 100000
   */
  readonly readyMaxReadModelLag: number;
  /** Trust X-Forwarded-For for the client IP (behind a load balancer). @default false */
  readonly trustProxy: boolean;
  /**
   * The journal's group-commit window (see FileJournalOptions). 0 starts a durable write at the end of
   * the event loop's turn: every request read in that turn joins it, and appends arriving during a
   * write form the next batch anyway. A window only delays clients whose requests arrive while the
   * disk is idle (bench:api: 1 ms made signed orders 15-25% slower at 64 connections). @default 0
   */
  readonly batchWindowMs: number;
  /** Serve /metrics (Prometheus) and /health on `metricsPort`. @default true */
  readonly metrics: boolean;
  /** The metrics port, on `host`; 0 picks a free one. @default 9464 */
  readonly metricsPort: number;
  /** The `service` label of every metric and the `service` field of every log line. @default 'exchange' */
  readonly serviceName: string;
  /** Percent of requests traced (a client's sampled traceparent is always followed); 0 turns tracing off. @default 0 */
  readonly traceSamplePercent: number;
  /** Where traces go: a Zipkin server's span endpoint (npm run observe starts one). @default 'http://127.0.0.1:9411/api/v2/spans' */
  readonly zipkinUrl: string;
  /** The built web pages (the trading page at /, the operator console on the admin port at /console). @default the repository's web/dist */
  readonly webRoot: string;
  /**
   * Where the read model and the accounts live: 'sqlite' (files in dataDir, the embedded mode) or
   * 'mariadb' (the trading and back-office databases below, as the cloud stack's Aurora clusters).
   * @default 'sqlite'
   */
  readonly storage: 'sqlite' | 'mariadb';
  /** @default '127.0.0.1' */
  readonly mariadbHost: string;
  /** @default 3306 */
  readonly mariadbPort: number;
  /** @default 'root' */
  readonly mariadbUser: string;
  /** @default - no password */
  readonly mariadbPassword: string | undefined;
  /** The read model's database. @default 'bourse_trading' */
  readonly mariadbTradingDatabase: string;
  /** The accounts' database, apart from the trading one. @default 'bourse_backoffice' */
  readonly mariadbBackOfficeDatabase: string;
  /** Connections per database. @default 8 */
  readonly mariadbPoolSize: number;
  /** 'off', 'on' (the system's CAs) or 'ca-file' (mariadbTlsCaFile). @default 'off' */
  readonly mariadbTls: 'off' | 'on' | 'ca-file';
  readonly mariadbTlsCaFile: string | undefined;
  /** The binlog replica of the trading database, where reports run. @default '127.0.0.1' */
  readonly mariadbReplicaHost: string;
  /** Its port; 0 leaves reports off. @default 0 */
  readonly mariadbReplicaPort: number;
}

type Kind =
  | { readonly kind: 'string' }
  | { readonly kind: 'optional' }
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'bool' }
  | { readonly kind: 'enum'; readonly values: readonly string[] };

interface Field {
  readonly key: keyof ServerConfig;
  readonly env: string;
  readonly type: Kind;
  readonly fallback: unknown;
}

const int = (min: number, max: number): Kind => ({ kind: 'int', min, max });
const BOOL: Kind = { kind: 'bool' };
const OPTIONAL: Kind = { kind: 'optional' };
const MAX = Number.MAX_SAFE_INTEGER;

export const CONFIG_FIELDS: readonly Field[] = [
  { key: 'dataDir', env: 'BOURSE_DATA_DIR', type: { kind: 'string' }, fallback: './data' },
  { key: 'host', env: 'BOURSE_HOST', type: { kind: 'string' }, fallback: '127.0.0.1' },
  { key: 'port', env: 'BOURSE_PORT', type: int(0, 65535), fallback: 8080 },
  { key: 'adminPort', env: 'BOURSE_ADMIN_PORT', type: int(0, 65535), fallback: 8081 },
  { key: 'adminToken', env: 'BOURSE_ADMIN_TOKEN', type: OPTIONAL, fallback: undefined },
  { key: 'masterKey', env: 'BOURSE_MASTER_KEY', type: OPTIONAL, fallback: undefined },
  {
    key: 'tls',
    env: 'BOURSE_TLS',
    type: { kind: 'enum', values: ['off', 'self-signed', 'files'] },
    fallback: 'off',
  },
  { key: 'tlsCertFile', env: 'BOURSE_TLS_CERT', type: OPTIONAL, fallback: undefined },
  { key: 'tlsKeyFile', env: 'BOURSE_TLS_KEY', type: OPTIONAL, fallback: undefined },
  {
    key: 'logLevel',
    env: 'BOURSE_LOG_LEVEL',
    type: { kind: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    fallback: 'info',
  },
  { key: 'demo', env: 'BOURSE_DEMO', type: BOOL, fallback: true },
  { key: 'marketMaker', env: 'BOURSE_MARKET_MAKER', type: BOOL, fallback: true },
  {
    key: 'marketMakerIntervalMs',
    env: 'BOURSE_MARKET_MAKER_INTERVAL_MS',
    type: int(10, 3_600_000),
    fallback: 1000,
  },
  {
    key: 'requestWeightPerMinute',
    env: 'BOURSE_REQUEST_WEIGHT_PER_MINUTE',
    type: int(1, MAX),
    fallback: 6000,
  },
  { key: 'ordersPer10s', env: 'BOURSE_ORDERS_PER_10S', type: int(1, MAX), fallback: 100 },
  { key: 'ordersPerDay', env: 'BOURSE_ORDERS_PER_DAY', type: int(1, MAX), fallback: 200_000 },
  { key: 'banAfterRejected', env: 'BOURSE_BAN_AFTER_REJECTED', type: int(0, MAX), fallback: 50 },
  { key: 'banSeconds', env: 'BOURSE_BAN_SECONDS', type: int(1, 3 * 86_400), fallback: 120 },
  {
    key: 'wsConnectionsPer5Min',
    env: 'BOURSE_WS_CONNECTIONS_PER_5MIN',
    type: int(1, 1_000_000),
    fallback: 300,
  },
  { key: 'failedAuthPerMinute', env: 'BOURSE_FAILED_AUTH_PER_MINUTE', type: int(1, MAX), fallback: 30 },
  {
    key: 'wsMessagesPerSecond',
    env: 'BOURSE_WS_MESSAGES_PER_SECOND',
    type: int(1, 1_000_000),
    fallback: 5,
  },
  {
    key: 'wsStreamsPerConnection',
    env: 'BOURSE_WS_STREAMS_PER_CONNECTION',
    type: int(1, 1_000_000),
    fallback: 1024,
  },
  { key: 'maxBodyBytes', env: 'BOURSE_MAX_BODY_BYTES', type: int(1024, 16 * 1024 * 1024), fallback: 65_536 },
  { key: 'maxHeaderBytes', env: 'BOURSE_MAX_HEADER_BYTES', type: int(1024, 1024 * 1024), fallback: 16_384 },
  { key: 'headersTimeoutMs', env: 'BOURSE_HEADERS_TIMEOUT_MS', type: int(100, 600_000), fallback: 10_000 },
  { key: 'requestTimeoutMs', env: 'BOURSE_REQUEST_TIMEOUT_MS', type: int(100, 600_000), fallback: 30_000 },
  {
    key: 'keepAliveTimeoutMs',
    env: 'BOURSE_KEEP_ALIVE_TIMEOUT_MS',
    type: int(100, 600_000),
    fallback: 5_000,
  },
  { key: 'shutdownTimeoutMs', env: 'BOURSE_SHUTDOWN_TIMEOUT_MS', type: int(0, 600_000), fallback: 10_000 },
  { key: 'maxInFlight', env: 'BOURSE_MAX_IN_FLIGHT', type: int(1, 10_000_000), fallback: 10_000 },
  {
    key: 'readyMaxReadModelLag',
    env: 'BOURSE_READY_MAX_READ_MODEL_LAG',
    type: int(0, Number.MAX_SAFE_INTEGER),
    fallback: 100_000,
  },
  { key: 'trustProxy', env: 'BOURSE_TRUST_PROXY', type: BOOL, fallback: false },
  { key: 'metrics', env: 'BOURSE_METRICS', type: BOOL, fallback: true },
  { key: 'metricsPort', env: 'BOURSE_METRICS_PORT', type: int(0, 65535), fallback: 9464 },
  { key: 'serviceName', env: 'BOURSE_SERVICE', type: { kind: 'string' }, fallback: 'exchange' },
  { key: 'traceSamplePercent', env: 'BOURSE_TRACE_SAMPLE_PERCENT', type: int(0, 100), fallback: 0 },
  {
    key: 'zipkinUrl',
    env: 'BOURSE_ZIPKIN_URL',
    type: { kind: 'string' },
    fallback: 'http://127.0.0.1:9411/api/v2/spans',
  },
  {
    key: 'batchWindowMs',
    env: 'BOURSE_BATCH_WINDOW_MS',
    type: int(0, 1000),
    fallback: DEFAULT_BATCH_WINDOW_MS,
  },
  { key: 'webRoot', env: 'BOURSE_WEB_ROOT', type: { kind: 'string' }, fallback: DEFAULT_WEB_ROOT },
  {
    key: 'storage',
    env: 'BOURSE_STORAGE',
    type: { kind: 'enum', values: ['sqlite', 'mariadb'] },
    fallback: 'sqlite',
  },
  { key: 'mariadbHost', env: 'BOURSE_MARIADB_HOST', type: { kind: 'string' }, fallback: '127.0.0.1' },
  { key: 'mariadbPort', env: 'BOURSE_MARIADB_PORT', type: int(1, 65535), fallback: 3306 },
  { key: 'mariadbUser', env: 'BOURSE_MARIADB_USER', type: { kind: 'string' }, fallback: 'root' },
  { key: 'mariadbPassword', env: 'BOURSE_MARIADB_PASSWORD', type: OPTIONAL, fallback: undefined },
  {
    key: 'mariadbTradingDatabase',
    env: 'BOURSE_MARIADB_TRADING_DATABASE',
    type: { kind: 'string' },
    fallback: 'bourse_trading',
  },
  {
    key: 'mariadbBackOfficeDatabase',
    env: 'BOURSE_MARIADB_BACKOFFICE_DATABASE',
    type: { kind: 'string' },
    fallback: 'bourse_backoffice',
  },
  { key: 'mariadbPoolSize', env: 'BOURSE_MARIADB_POOL_SIZE', type: int(1, 1000), fallback: 8 },
  {
    key: 'mariadbTls',
    env: 'BOURSE_MARIADB_TLS',
    type: { kind: 'enum', values: ['off', 'on', 'ca-file'] },
    fallback: 'off',
  },
  { key: 'mariadbTlsCaFile', env: 'BOURSE_MARIADB_TLS_CA_FILE', type: OPTIONAL, fallback: undefined },
  {
    key: 'mariadbReplicaHost',
    env: 'BOURSE_MARIADB_REPLICA_HOST',
    type: { kind: 'string' },
    fallback: '127.0.0.1',
  },
  { key: 'mariadbReplicaPort', env: 'BOURSE_MARIADB_REPLICA_PORT', type: int(0, 65535), fallback: 0 },
];

export class ConfigError extends Error {
  readonly code = 'CONFIG';
}

/**
 * Builds the configuration from `env` (BOURSE_CONFIG names the JSON file) and `overrides` (for
 * tests), in that order of precedence: overrides, env, file, defaults.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  overrides: Partial<ServerConfig> = {},
): ServerConfig {
  const file = readConfigFile(env.BOURSE_CONFIG);
  const byKey = new Map(CONFIG_FIELDS.map((f) => [f.key as string, f]));
  for (const key of Object.keys(file)) {
    if (!byKey.has(key)) {
      throw new ConfigError(
        `${env.BOURSE_CONFIG}: unknown setting "${key}"; known settings are ${[...byKey.keys()].join(', ')}`,
      );
    }
  }
  const out: Record<string, unknown> = {};
  for (const field of CONFIG_FIELDS) {
    const override = (overrides as Record<string, unknown>)[field.key];
    const fromEnv = env[field.env];
    if (override !== undefined) out[field.key] = check(field, override, `option ${field.key}`);
    else if (fromEnv !== undefined && fromEnv !== '') out[field.key] = fromText(field, fromEnv);
    else if (file[field.key] !== undefined)
      out[field.key] = check(field, file[field.key], `${env.BOURSE_CONFIG}: "${field.key}"`);
    else out[field.key] = field.fallback;
  }
  const config = out as unknown as ServerConfig;
  if (config.tls === 'files' && (config.tlsCertFile === undefined || config.tlsKeyFile === undefined)) {
    throw new ConfigError('tls "files" needs tlsCertFile and tlsKeyFile (BOURSE_TLS_CERT, BOURSE_TLS_KEY)');
  }
  if (config.masterKey !== undefined && !/^[0-9a-fA-F]{64}$/.test(config.masterKey)) {
    throw new ConfigError(
      'masterKey (BOURSE_MASTER_KEY) is invalid: use 64 hex digits (32 bytes); the value is not shown',
    );
  }
  if (config.adminToken !== undefined && config.adminToken.length < 16) {
    throw new ConfigError(
      'adminToken (BOURSE_ADMIN_TOKEN) is too short: use at least 16 characters; the value is not shown',
    );
  }
  if (config.storage === 'mariadb') mariadbDatabases(config);
  return { ...config, dataDir: resolve(config.dataDir) };
}

function readConfigFile(path: string | undefined): Record<string, unknown> {
  if (path === undefined || path === '') return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`BOURSE_CONFIG "${path}" cannot be read: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`BOURSE_CONFIG "${path}" is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`BOURSE_CONFIG "${path}" must hold a JSON object of settings`);
  }
  return value as Record<string, unknown>;
}

/** Secrets are never quoted back. */
const SECRET_KEYS: ReadonlySet<string> = new Set(['adminToken', 'masterKey']);

function shown(field: Field, value: unknown): string {
  return SECRET_KEYS.has(field.key) ? '(not shown)' : JSON.stringify(value);
}

function fromText(field: Field, text: string): unknown {
  const where = `${field.env}`;
  switch (field.type.kind) {
    case 'int': {
      if (!/^-?\d+$/.test(text)) throw invalid(field, where, text);
      return check(field, Number(text), where);
    }
    case 'bool':
      if (text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
      throw invalid(field, where, text);
    default:
      return check(field, text, where);
  }
}

function check(field: Field, value: unknown, where: string): unknown {
  const type = field.type;
  switch (type.kind) {
    case 'string':
      if (typeof value !== 'string' || value === '') throw invalid(field, where, value);
      return value;
    case 'optional':
      if (typeof value !== 'string') throw invalid(field, where, value);
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < type.min || value > type.max) {
        throw invalid(field, where, value);
      }
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw invalid(field, where, value);
      return value;
    case 'enum':
      if (typeof value !== 'string' || !type.values.includes(value)) throw invalid(field, where, value);
      return value;
  }
}

function invalid(field: Field, where: string, value: unknown): ConfigError {
  const type = field.type;
  const expected =
    type.kind === 'int'
      ? `an integer from ${type.min} to ${type.max}`
      : type.kind === 'bool'
        ? 'true or false'
        : type.kind === 'enum'
          ? `one of ${type.values.join(', ')}`
          : 'a non-empty string';
  return new ConfigError(`${where} ${shown(field, value)} is invalid: use ${expected}`);
}

/**
 * The trading (read model) and back-office (accounts) databases of `storage` 'mariadb', checked
 * up front: names, port, pool size, two distinct databases, a readable CA file for 'ca-file'.
 * Throws a ConfigError naming the setting.
 */
export function mariadbDatabases(config: ServerConfig): {
  trading: MariaDbOptions;
  backOffice: MariaDbOptions;
  /** The trading database on its binlog replica; undefined when mariadbReplicaPort is 0. */
  replica: MariaDbOptions | undefined;
} {
  if (config.mariadbTradingDatabase === config.mariadbBackOfficeDatabase) {
    throw new ConfigError(
      `mariadbTradingDatabase and mariadbBackOfficeDatabase are both "${config.mariadbTradingDatabase}": ` +
        'trading and back-office data live in databases of their own; give two names',
    );
  }
  let tls: MariaDbOptions['tls'] = config.mariadbTls === 'on' ? 'on' : 'off';
  if (config.mariadbTls === 'ca-file') {
    if (config.mariadbTlsCaFile === undefined) {
      throw new ConfigError('mariadbTls "ca-file" needs mariadbTlsCaFile (BOURSE_MARIADB_TLS_CA_FILE)');
    }
    try {
      tls = { ca: readFileSync(config.mariadbTlsCaFile, 'utf8') };
    } catch (error) {
      throw new ConfigError(
        `mariadbTlsCaFile "${config.mariadbTlsCaFile}" cannot be read: ${(error as Error).message}`,
      );
    }
  }
  const base = {
    host: config.mariadbHost,
    port: config.mariadbPort,
    user: config.mariadbUser,
    ...(config.mariadbPassword !== undefined && { password: config.mariadbPassword }),
    poolSize: config.mariadbPoolSize,
    tls,
  };
  const trading = { ...base, database: config.mariadbTradingDatabase };
  const backOffice = { ...base, database: config.mariadbBackOfficeDatabase };
  try {
    checkMariaDbOptions(trading, 'mariadb (trading)');
    checkMariaDbOptions(backOffice, 'mariadb (back-office)');
  } catch (error) {
    if (error instanceof MariaDbConfigError) throw new ConfigError(error.message);
    throw error;
  }
  const replica =
    config.mariadbReplicaPort === 0
      ? undefined
      : { ...trading, host: config.mariadbReplicaHost, port: config.mariadbReplicaPort };
  return { trading, backOffice, replica };
}
