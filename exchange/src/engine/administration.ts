import { isAmount } from '../domain/amount.ts';
import type { AddAsset, HaltMarket, ListMarket, ResumeAfterLoss, ResumeMarket } from '../domain/commands.ts';
import { FEE_RATE_SCALE, type MarketSpec, STP_MODES } from '../domain/market.ts';
import { RejectReason } from '../domain/reject-reason.ts';
import type { AssetInfo } from './assets.ts';
import type { MatchingEngine } from './engine.ts';
import { Market } from './market.ts';
import type { Outcomes } from './outcomes.ts';

/** Listing assets and markets, halting and resuming them. */
const ASSET_NAME = /^[A-Z0-9]{2,12}$/;
const SYMBOL_NAME = /^[A-Z0-9]{4,24}$/;
/** More decimals would leave too little room below 2^53 for a realistic supply. */
const MAX_ASSET_DECIMALS = 12;

export function addAsset(engine: MatchingEngine, o: Outcomes, command: AddAsset): void {
  const { asset, decimals } = command;
  if (typeof asset !== 'string' || !ASSET_NAME.test(asset)) {
    return o.reject('AddAsset', RejectReason.INVALID_COMMAND, 0, '', '');
  }
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > MAX_ASSET_DECIMALS) {
    return o.reject('AddAsset', RejectReason.INVALID_COMMAND, 0, '', '');
  }
  if (engine.assets.get(asset) !== undefined)
    return o.reject('AddAsset', RejectReason.ASSET_EXISTS, 0, '', '');
  engine.assets.add(asset, decimals);
  o.out.push({ type: 'AssetAdded', seq: o.seq, ts: o.ts, asset, decimals });
}

export function listMarket(engine: MatchingEngine, o: Outcomes, command: ListMarket): void {
  const spec: MarketSpec = {
    symbol: command.symbol,
    base: command.base,
    quote: command.quote,
    tickSize: command.tickSize,
    lotSize: command.lotSize,
    minQty: command.minQty,
    maxQty: command.maxQty,
    minNotional: command.minNotional,
    makerFeePpm: command.makerFeePpm,
    takerFeePpm: command.takerFeePpm,
    defaultStpMode: command.defaultStpMode,
  };
  const symbol = typeof spec.symbol === 'string' ? spec.symbol : '';
  if (engine.markets.has(symbol)) return o.reject('ListMarket', RejectReason.SYMBOL_EXISTS, 0, symbol, '');
  const base = engine.assets.get(spec.base);
  const quote = engine.assets.get(spec.quote);
  if (base === undefined || quote === undefined) {
    return o.reject('ListMarket', RejectReason.UNKNOWN_ASSET, 0, symbol, '');
  }
  if (!isValidMarketSpec(spec, base) || base === quote) {
    return o.reject('ListMarket', RejectReason.INVALID_MARKET_CONFIG, 0, symbol, '');
  }
  engine.markets.set(spec.symbol, new Market(spec, base, quote));
  o.out.push({ type: 'MarketListed', seq: o.seq, ts: o.ts, market: spec });
}

export function haltMarket(engine: MatchingEngine, o: Outcomes, command: HaltMarket): void {
  const market = engine.markets.get(command.symbol);
  if (market === undefined) return o.reject('HaltMarket', RejectReason.UNKNOWN_SYMBOL, 0, '', '');
  if (market.status === 'HALTED') {
    return o.reject('HaltMarket', RejectReason.MARKET_HALTED, 0, market.spec.symbol, '');
  }
  market.status = 'HALTED';
  o.out.push({ type: 'MarketHalted', seq: o.seq, ts: o.ts, symbol: market.spec.symbol });
}

export function resumeMarket(engine: MatchingEngine, o: Outcomes, command: ResumeMarket): void {
  const market = engine.markets.get(command.symbol);
  if (market === undefined) return o.reject('ResumeMarket', RejectReason.UNKNOWN_SYMBOL, 0, '', '');
  if (market.status !== 'HALTED') {
    return o.reject('ResumeMarket', RejectReason.MARKET_NOT_HALTED, 0, market.spec.symbol, '');
  }
  market.status = 'TRADING';
  o.out.push({ type: 'MarketResumed', seq: o.seq, ts: o.ts, symbol: market.spec.symbol });
}

function isValidMarketSpec(spec: MarketSpec, base: AssetInfo): boolean {
  const positive = (n: unknown) => isAmount(n) && n > 0;
  if (typeof spec.symbol !== 'string' || !SYMBOL_NAME.test(spec.symbol)) return false;
  if (
    !positive(spec.tickSize) ||
    !positive(spec.lotSize) ||
    !positive(spec.minQty) ||
    !positive(spec.maxQty)
  ) {
    return false;
  }
  if (!isAmount(spec.minNotional)) return false;
  if (spec.minQty % spec.lotSize !== 0 || spec.maxQty % spec.lotSize !== 0 || spec.maxQty < spec.minQty) {
    return false;
  }
  for (const rate of [spec.makerFeePpm, spec.takerFeePpm]) {
    if (!Number.isInteger(rate) || rate < 0 || rate >= FEE_RATE_SCALE) return false;
  }
  if (!STP_MODES.includes(spec.defaultStpMode)) return false;
  // Every notional must be a whole number of quote minor units, so no trade ever rounds.
  return (BigInt(spec.tickSize) * BigInt(spec.lotSize)) % 10n ** BigInt(base.decimals) === 0n;
}

/** Ids only move forward: an order, trade or aggregate trade id is never issued twice. */
export function resumeAfterLoss(engine: MatchingEngine, o: Outcomes, command: ResumeAfterLoss): void {
  const floors = Object.entries(command.nextTradeIds ?? {});
  if (!Number.isSafeInteger(command.nextOrderId) || !floors.every(([, next]) => Number.isSafeInteger(next))) {
    o.reject('ResumeAfterLoss', RejectReason.INVALID_COMMAND, 0, '', '');
    return;
  }
  engine.nextOrderId = Math.max(engine.nextOrderId, command.nextOrderId);
  for (const [symbol, next] of floors) {
    const market = engine.markets.get(symbol);
    if (market === undefined) continue;
    market.nextTradeId = Math.max(market.nextTradeId, next);
    market.nextAggTradeId = Math.max(market.nextAggTradeId, next);
  }
}
