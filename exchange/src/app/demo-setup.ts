import { parseAmount } from '../domain/amount.ts';
import type { UnstampedCommand } from '../domain/commands.ts';
import type { MarketSpec } from '../domain/market.ts';
import type { AccountStore, NewApiKey } from '../gateway/auth/account-store.ts';
import type { CommandResult } from '../sequencer/sequencer.ts';

/**
 * What a first start with no data creates: three assets, three markets, two demo traders with API
 * keys and money, and the market maker's two accounts. Every change goes through the sequencer.
 */
export const DEMO_ASSETS = [
  { asset: 'BTC', decimals: 8 },
  { asset: 'ETH', decimals: 8 },
  { asset: 'USDT', decimals: 6 },
] as const;

const decimalsOf = (asset: string) => DEMO_ASSETS.find((a) => a.asset === asset)!.decimals;

function market(
  symbol: string,
  base: string,
  quote: string,
  tick: string,
  lot: string,
  maxQty: string,
  minNotional: string,
): MarketSpec {
  const b = decimalsOf(base);
  const q = decimalsOf(quote);
  return {
    symbol,
    base,
    quote,
    tickSize: parseAmount(tick, q),
    lotSize: parseAmount(lot, b),
    minQty: parseAmount(lot, b),
    maxQty: parseAmount(maxQty, b),
    minNotional: parseAmount(minNotional, q),
    makerFeePpm: 1000,
    takerFeePpm: 1000,
    defaultStpMode: 'EXPIRE_MAKER',
  };
}

/** Tick x lot is a multiple of 10^baseDecimals in each, as the engine requires. */
export const DEMO_MARKETS: readonly MarketSpec[] = [
  market('BTCUSDT', 'BTC', 'USDT', '0.01', '0.0001', '9000', '5'),
  market('ETHUSDT', 'ETH', 'USDT', '0.01', '0.001', '90000', '5'),
  market('ETHBTC', 'ETH', 'BTC', '0.00001', '0.001', '90000', '0.0001'),
];

export const DEMO_TRADERS = ['alice', 'bob'] as const;
export const MARKET_MAKER_USERS = { maker: 'market-maker', taker: 'market-taker' } as const;

const TRADER_FUNDS = { BTC: '10', ETH: '100', USDT: '1000000' } as const;
const MARKET_MAKER_FUNDS = { BTC: '1000', ETH: '20000', USDT: '100000000' } as const;

export interface DemoSetup {
  readonly traders: readonly (NewApiKey & { readonly name: string })[];
}

type Submit = (command: UnstampedCommand) => Promise<CommandResult>;

async function must(submit: Submit, command: UnstampedCommand): Promise<void> {
  const result = await submit(command);
  const rejected = result.events.find((e) => e.type === 'Rejected');
  if (rejected !== undefined) throw new Error(`demo setup: ${command.type} rejected (${rejected.reason})`);
}

async function fund(submit: Submit, userId: number, funds: Readonly<Record<string, string>>): Promise<void> {
  for (const [asset, amount] of Object.entries(funds)) {
    await must(submit, { type: 'Deposit', userId, asset, amount: parseAmount(amount, decimalsOf(asset)) });
  }
}

/** Lists the demo markets. Call only on an exchange with no assets. */
export async function listDemoMarkets(submit: Submit): Promise<void> {
  for (const a of DEMO_ASSETS) await must(submit, { type: 'AddAsset', asset: a.asset, decimals: a.decimals });
  for (const spec of DEMO_MARKETS) await must(submit, { type: 'ListMarket', ...spec });
}

/** Creates and funds the demo traders (with READ+TRADE keys) and the market maker's accounts. */
export async function createDemoUsers(
  submit: Submit,
  accounts: AccountStore,
  nowMs: number,
): Promise<DemoSetup> {
  const traders: (NewApiKey & { name: string })[] = [];
  for (const name of DEMO_TRADERS) {
    if ((await accounts.userByName(name)) !== undefined) continue;
    const userId = await accounts.createUser(name, nowMs);
    traders.push({ name, ...(await accounts.createApiKey(userId, ['READ', 'TRADE'], nowMs)) });
    await fund(submit, userId, TRADER_FUNDS);
  }
  for (const name of Object.values(MARKET_MAKER_USERS)) {
    if ((await accounts.userByName(name)) !== undefined) continue;
    await fund(submit, await accounts.createUser(name, nowMs), MARKET_MAKER_FUNDS);
  }
  return { traders };
}
