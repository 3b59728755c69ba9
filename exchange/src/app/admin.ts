/**
 * The admin CLI: `npm run admin -- <command>`. It talks to the running server's admin API, found
 * through the data folder (admin-endpoint.json and admin-token) or BOURSE_ADMIN_URL and
 * BOURSE_ADMIN_TOKEN. Each command is one line and prints JSON, so scripts can set up accounts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from './config.ts';
import { ADMIN_TOKEN_FILE } from './data-dir-secrets.ts';

const USAGE = `usage: npm run admin -- <command>

  users                                        list users and their API keys (never secrets)
  create-user <name> [--permissions READ,TRADE] create a user with an API key; prints the secret once
  create-key <userId> [--permissions READ]     another API key for a user
    with --public-key-file PATH or --public-key PEM (on either command): an Ed25519 key for the
    public key the user generated (PEM, SPKI), as Binance registers one; there is no secret
  balances <userId>                            a user's balances
  deposit <userId> <asset> <amount>            credit a deposit, e.g. deposit 3 USDT 1000.50
  withdraw <userId> <asset> <amount> [--id ID] request a withdrawal (locks the amount)
  withdraw-complete <withdrawalId>             the withdrawal went out
  withdraw-fail <withdrawalId>                 it did not: unlock the amount
  set-permissions <apiKey> --permissions READ  replace an API key's permissions (READ or READ,TRADE:
                                               every key can read, as on Binance)
  revoke-key <apiKey>                          delete an API key: requests made with it are refused
  markets                                      list markets and their status
  halt <symbol> | resume <symbol>              stop or restart trading on a market
  add-asset <asset> <decimals>                 an asset, e.g. add-asset SOL 8
  list-market <symbol> <base> <quote> --tick-size T --lot-size L --max-qty M
      [--min-qty Q] [--min-notional N] [--maker-fee 0.001] [--taker-fee 0.001] [--stp EXPIRE_MAKER]
                                               open a market; amounts in its assets' units
  report market-days [--symbol S] [--from DAY] [--to DAY]
                                               per market and UTC day (DAY: 2026-12-01 or ms): volume,
                                               trades, fees per asset, active traders, orders per trade
  report user-volume <userId> [--from DAY] [--to DAY]
                                               a user's traded volume and fees paid, per market
    reports run on the analytics replica (storage mariadb, mariadbReplicaPort); each shows its lag

Finds the server through BOURSE_DATA_DIR (or BOURSE_CONFIG), or BOURSE_ADMIN_URL and BOURSE_ADMIN_TOKEN.`;

interface Call {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly body?: Record<string, unknown>;
}

export class UsageError extends Error {}

/** Turns the command line into one admin API call. */
export function parseCommand(argv: readonly string[]): Call {
  const args = [...argv];
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    if (i === -1) return undefined;
    const value = args[i + 1];
    if (value === undefined) throw new UsageError(`${name} needs a value`);
    args.splice(i, 2);
    return value;
  };
  const permissions = flag('--permissions')?.split(',');
  const id = flag('--id');
  const reportFlags = Object.entries({
    symbol: flag('--symbol'),
    from: flag('--from'),
    to: flag('--to'),
  }).filter(([, value]) => value !== undefined) as [string, string][];
  const publicKey = publicKeyFlag(flag('--public-key'), flag('--public-key-file'));
  // list-market's settings, by their admin API names; absent ones take the API's defaults.
  const marketFlags = Object.entries({
    tickSize: flag('--tick-size'),
    lotSize: flag('--lot-size'),
    minQty: flag('--min-qty'),
    maxQty: flag('--max-qty'),
    minNotional: flag('--min-notional'),
    makerFee: flag('--maker-fee'),
    takerFee: flag('--taker-fee'),
    selfTradePreventionMode: flag('--stp'),
  }).filter(([, value]) => value !== undefined);
  const [command, ...rest] = args;
  const need = (count: number) => {
    if (rest.length !== count)
      throw new UsageError(`${command} takes ${count} argument(s), got ${rest.length}`);
    return rest;
  };
  const enc = encodeURIComponent;
  switch (command) {
    case 'users':
      need(0);
      return { method: 'GET', path: '/admin/users' };
    case 'create-user': {
      const [name] = need(1);
      return {
        method: 'POST',
        path: '/admin/users',
        body: { name, ...(permissions && { permissions }), ...(publicKey !== undefined && { publicKey }) },
      };
    }
    case 'create-key': {
      const [userId] = need(1);
      return {
        method: 'POST',
        path: `/admin/users/${enc(userId!)}/api-keys`,
        body: { ...(permissions && { permissions }), ...(publicKey !== undefined && { publicKey }) },
      };
    }
    case 'balances': {
      const [userId] = need(1);
      return { method: 'GET', path: `/admin/users/${enc(userId!)}/balances` };
    }
    case 'deposit': {
      const [userId, asset, amount] = need(3);
      return { method: 'POST', path: '/admin/deposits', body: { userId: Number(userId), asset, amount } };
    }
    case 'withdraw': {
      const [userId, asset, amount] = need(3);
      return {
        method: 'POST',
        path: '/admin/withdrawals',
        body: { userId: Number(userId), asset, amount, ...(id !== undefined && { withdrawalId: id }) },
      };
    }
    case 'withdraw-complete':
    case 'withdraw-fail': {
      const [withdrawalId] = need(1);
      const action = command === 'withdraw-complete' ? 'complete' : 'fail';
      return { method: 'POST', path: `/admin/withdrawals/${enc(withdrawalId!)}/${action}` };
    }
    case 'set-permissions': {
      const [apiKey] = need(1);
      if (permissions === undefined) throw new UsageError('set-permissions needs --permissions');
      return { method: 'PUT', path: `/admin/api-keys/${enc(apiKey!)}`, body: { permissions } };
    }
    case 'revoke-key': {
      const [apiKey] = need(1);
      return { method: 'DELETE', path: `/admin/api-keys/${enc(apiKey!)}` };
    }
    case 'add-asset': {
      const [asset, decimals] = need(2);
      return { method: 'POST', path: '/admin/assets', body: { asset, decimals: Number(decimals) } };
    }
    case 'list-market': {
      const [symbol, base, quote] = need(3);
      return {
        method: 'POST',
        path: '/admin/markets',
        body: { symbol, base, quote, ...Object.fromEntries(marketFlags) },
      };
    }
    case 'markets':
      need(0);
      return { method: 'GET', path: '/admin/markets' };
    case 'halt':
    case 'resume': {
      const [symbol] = need(1);
      return { method: 'POST', path: `/admin/markets/${enc(symbol!)}/${command}` };
    }
    case 'report': {
      const [name, ...more] = rest;
      const query = (extra: [string, string][] = []) => {
        const params = new URLSearchParams([...extra, ...reportFlags]).toString();
        return params === '' ? '' : `?${params}`;
      };
      if (name === 'market-days' && more.length === 0) {
        return { method: 'GET', path: `/admin/reports/market-days${query()}` };
      }
      if (name === 'user-volume' && more.length === 1) {
        return { method: 'GET', path: `/admin/reports/user-volume${query([['userId', more[0]!]])}` };
      }
      throw new UsageError('report takes market-days, or user-volume <userId>');
    }
    default:
      throw new UsageError(command === undefined ? 'no command given' : `unknown command "${command}"`);
  }
}

/** The PEM text of --public-key, or of the file --public-key-file names; never both. */
function publicKeyFlag(pem: string | undefined, file: string | undefined): string | undefined {
  if (pem !== undefined && file !== undefined) {
    throw new UsageError('give --public-key or --public-key-file, not both');
  }
  if (file === undefined) return pem;
  try {
    // `npm run` starts scripts in the package's folder; INIT_CWD is where the user typed the command.
    return readFileSync(resolve(process.env.INIT_CWD ?? process.cwd(), file), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the public key file ${file}: ${(error as Error).message}`);
  }
}

function endpoint(env: NodeJS.ProcessEnv): { url: string; token: string } {
  if (env.BOURSE_ADMIN_URL !== undefined && env.BOURSE_ADMIN_TOKEN !== undefined) {
    return { url: env.BOURSE_ADMIN_URL, token: env.BOURSE_ADMIN_TOKEN };
  }
  const config = loadConfig(env);
  const endpointFile = join(config.dataDir, 'admin-endpoint.json');
  const url =
    env.BOURSE_ADMIN_URL ??
    (existsSync(endpointFile)
      ? (JSON.parse(readFileSync(endpointFile, 'utf8')) as { url: string }).url
      : `http://127.0.0.1:${config.adminPort}`);
  const tokenFile = join(config.dataDir, ADMIN_TOKEN_FILE);
  const token =
    config.adminToken ?? (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : undefined);
  if (token === undefined) {
    throw new UsageError(
      `no admin token: set BOURSE_ADMIN_TOKEN or start the server once so it writes ${tokenFile}`,
    );
  }
  return { url, token };
}

async function main(): Promise<void> {
  let call: Call;
  let target: { url: string; token: string };
  try {
    call = parseCommand(process.argv.slice(2));
    target = endpoint(process.env);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      console.error(`admin: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    throw error;
  }
  let response: Response;
  try {
    response = await fetch(`${target.url}${call.path}`, {
      method: call.method,
      headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' },
      ...(call.body !== undefined && { body: JSON.stringify(call.body) }),
    });
  } catch (error) {
    console.error(
      `admin: cannot reach the admin API at ${target.url} (${(error as Error).message}); is the server running?`,
    );
    process.exit(1);
  }
  const text = await response.text();
  if (!response.ok) {
    console.error(`admin: ${response.status} ${text}`);
    process.exit(1);
  }
  process.stdout.write(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error('admin:', error);
    process.exit(1);
  });
}
