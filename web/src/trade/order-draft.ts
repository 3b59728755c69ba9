import { compare, multiply, placesOf, scale } from '../lib/decimal.ts';
import type { SymbolRules } from './symbol-rules.ts';

export type OrderSide = 'BUY' | 'SELL';

/** What the order form holds, as the user typed it. */
export interface OrderDraft {
  readonly side: OrderSide;
  readonly type: string;
  readonly price: string;
  readonly quantity: string;
  /** MARKET only: spend or receive this much of the quote asset instead of a quantity. */
  readonly byQuote: boolean;
  readonly quoteOrderQty: string;
  readonly stopPrice: string;
  readonly timeInForce: string;
}

export type DraftCheck =
  | { readonly ok: true; readonly params: Readonly<Record<string, string>>; readonly notional?: string }
  | { readonly ok: false; readonly field: string; readonly message: string };

const NEEDS_PRICE = new Set(['LIMIT', 'LIMIT_MAKER', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT']);
const NEEDS_STOP = new Set(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']);
const HAS_TIME_IN_FORCE = new Set(['LIMIT', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT']);

export function needsPrice(type: string): boolean {
  return NEEDS_PRICE.has(type);
}
export function needsStopPrice(type: string): boolean {
  return NEEDS_STOP.has(type);
}
export function hasTimeInForce(type: string): boolean {
  return HAS_TIME_IN_FORCE.has(type);
}

/**
 * Checks a draft against the symbol's published filters before it is sent, exactly (decimal strings,
 * no float), and builds the order's parameters. The exchange checks again: this only spares the user
 * a round trip and says which field is wrong.
 */
export function checkDraft(draft: OrderDraft, rules: SymbolRules): DraftCheck {
  const params: Record<string, string> = { symbol: rules.symbol, side: draft.side, type: draft.type };
  const fail = (field: string, message: string): DraftCheck => ({ ok: false, field, message });
  const market = draft.type === 'MARKET' || draft.type === 'STOP_LOSS' || draft.type === 'TAKE_PROFIT';
  if (needsPrice(draft.type)) {
    const problem = stepProblem(draft.price, rules.tickSize, rules.minPrice, rules.maxPrice, 'price');
    if (problem !== undefined) return fail('price', problem);
    params.price = draft.price.trim();
  }
  if (needsStopPrice(draft.type)) {
    const problem = stepProblem(
      draft.stopPrice,
      rules.tickSize,
      rules.minPrice,
      rules.maxPrice,
      'stop price',
    );
    if (problem !== undefined) return fail('stopPrice', problem);
    params.stopPrice = draft.stopPrice.trim();
  }
  if (hasTimeInForce(draft.type)) params.timeInForce = draft.timeInForce;
  if (draft.type === 'MARKET' && draft.byQuote) {
    if (!rules.quoteOrderQtyMarketAllowed) return fail('quoteOrderQty', 'this market takes no quote amount');
    const quotePlaces = placesOf(rules.tickSize) + rules.qtyPlaces;
    const amount = scale(draft.quoteOrderQty, quotePlaces);
    if (amount === undefined || amount <= 0n) return fail('quoteOrderQty', 'enter a positive amount');
    if (rules.applyMinToMarket && compare(draft.quoteOrderQty.trim(), rules.minNotional) < 0)
      return fail('quoteOrderQty', `the amount must be at least ${rules.minNotional} ${rules.quote}`);
    params.quoteOrderQty = draft.quoteOrderQty.trim();
    return { ok: true, params, notional: params.quoteOrderQty };
  }
  const lot = market
    ? [rules.marketStepSize, rules.marketMinQty, rules.marketMaxQty]
    : [rules.stepSize, rules.minQty, rules.maxQty];
  const problem = stepProblem(draft.quantity, lot[0]!, lot[1]!, lot[2]!, 'quantity');
  if (problem !== undefined) return fail('quantity', problem);
  params.quantity = draft.quantity.trim();
  if (!needsPrice(draft.type)) return { ok: true, params };
  const notional = multiply(params.price!, params.quantity, rules.pricePlaces, rules.qtyPlaces)!;
  if (compare(notional, rules.minNotional) < 0)
    return fail('quantity', `price × quantity must be at least ${rules.minNotional} ${rules.quote}`);
  return { ok: true, params, notional };
}

/** Why `value` breaks a step filter (a multiple of step within [min, max]; max 0 means none), or undefined. */
function stepProblem(
  value: string,
  step: string,
  min: string,
  max: string,
  name: string,
): string | undefined {
  const places = placesOf(step);
  const scaled = scale(value, places);
  if (scaled === undefined || value.trim() === '')
    return `enter the ${name} as a decimal with at most ${places} places`;
  if (scaled <= 0n) return `the ${name} must be above 0`;
  const stepScaled = scale(step, places)!;
  if (stepScaled > 0n && scaled % stepScaled !== 0n) return `the ${name} must be a multiple of ${step}`;
  if (compare(value.trim(), min) < 0) return `the ${name} must be at least ${min}`;
  if (compare(max, '0') > 0 && compare(value.trim(), max) > 0) return `the ${name} must be at most ${max}`;
  return undefined;
}
