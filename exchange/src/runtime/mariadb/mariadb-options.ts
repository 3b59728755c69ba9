/**
 * How to reach a MariaDB (or Aurora MySQL) server, as every MariaDB adapter takes it. Checked up
 * front by `checkMariaDbOptions`, with messages that quote the bad value.
 */
export interface MariaDbOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 3306 */
  readonly port?: number;
  /** @default 'root' */
  readonly user?: string;
  /** @default - no password */
  readonly password?: string;
  /** The database (schema) this adapter owns; created if missing. */
  readonly database: string;
  /** Connections in the pool. @default 4 */
  readonly poolSize?: number;
  /**
   * TLS to the server: off, on with the system's CAs, or on with a CA bundle file's contents.
   * @default 'off'
   */
  readonly tls?: 'off' | 'on' | { readonly ca: string };
}

export type CheckedMariaDbOptions = Required<Omit<MariaDbOptions, 'password'>> & {
  readonly password: string | undefined;
};

/** A database name MariaDB takes unquoted: letters, digits, '_' and '$', at most 64. */
const DATABASE_NAME = /^[A-Za-z0-9_$]{1,64}$/;

export class MariaDbConfigError extends Error {
  readonly code = 'MARIADB_CONFIG';
}

/** Fills in the defaults and checks every field; throws a MariaDbConfigError naming the setting. */
export function checkMariaDbOptions(options: MariaDbOptions, what = 'mariadb'): CheckedMariaDbOptions {
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host.length === 0) {
    throw new MariaDbConfigError(
      `${what} host ${JSON.stringify(host)} is invalid: give a host name or address`,
    );
  }
  const port = options.port ?? 3306;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new MariaDbConfigError(
      `${what} port ${JSON.stringify(port)} is invalid: use an integer from 1 to 65535`,
    );
  }
  const user = options.user ?? 'root';
  if (typeof user !== 'string' || user.length === 0 || user.length > 80) {
    throw new MariaDbConfigError(`${what} user ${JSON.stringify(user)} is invalid: give 1 to 80 characters`);
  }
  if (typeof options.database !== 'string' || !DATABASE_NAME.test(options.database)) {
    throw new MariaDbConfigError(
      `${what} database ${JSON.stringify(options.database)} is invalid: use 1 to 64 letters, digits, '_' or '$'`,
    );
  }
  const poolSize = options.poolSize ?? 4;
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 1_000) {
    throw new MariaDbConfigError(
      `${what} pool size ${JSON.stringify(poolSize)} is invalid: use an integer from 1 to 1000`,
    );
  }
  const tls = options.tls ?? 'off';
  if (
    tls !== 'off' &&
    tls !== 'on' &&
    !(typeof tls === 'object' && typeof tls.ca === 'string' && tls.ca !== '')
  ) {
    throw new MariaDbConfigError(
      `${what} tls ${JSON.stringify(tls)} is invalid: use 'off', 'on', or { ca: <PEM bundle> }`,
    );
  }
  return { host, port, user, password: options.password, database: options.database, poolSize, tls };
}
