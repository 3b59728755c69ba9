/**
 * Exact decimal strings, as Binance sends prices and quantities. The page never turns money into a
 * float: values are scaled to bigints of a fixed number of places, compared and multiplied there,
 * and formatted back.
 */

const DECIMAL = /^(\d+)(?:\.(\d*))?$/;

/** Places after the point in a step such as "0.01000000" (2); 0 for "1.00". */
export function placesOf(step: string): number {
  const match = DECIMAL.exec(step);
  if (match === null) throw new Error(`not a decimal: ${step}`);
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  return fraction.length;
}

/** `value` as an integer of `places` decimal places; undefined if it is not a plain decimal or has more places. */
export function scale(value: string, places: number): bigint | undefined {
  const match = DECIMAL.exec(value.trim());
  if (match === null) return undefined;
  const whole = match[1]!;
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > places) return undefined;
  return BigInt(whole + fraction.padEnd(places, '0'));
}

/** The inverse of scale: a decimal string with exactly `places` places (none when 0). */
export function unscale(value: bigint, places: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(places + 1, '0');
  const text = places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
  return negative ? `-${text}` : text;
}

/** "1.50000000" → "1.5"; "2.000" → "2". For display only. */
export function trim(value: string): string {
  if (!value.includes('.')) return value;
  return value.replace(/0+$/, '').replace(/\.$/, '');
}

/** price × quantity, exactly, with the places of both. */
export function multiply(
  price: string,
  quantity: string,
  pricePlaces: number,
  qtyPlaces: number,
): string | undefined {
  const p = scale(price, pricePlaces);
  const q = scale(quantity, qtyPlaces);
  if (p === undefined || q === undefined) return undefined;
  return unscale(p * q, pricePlaces + qtyPlaces);
}

/** Compares two decimal strings exactly: -1, 0 or 1. */
export function compare(a: string, b: string): number {
  const places = Math.max(fractionLength(a), fractionLength(b));
  const x = scale(a, places);
  const y = scale(b, places);
  if (x === undefined || y === undefined) throw new Error(`not decimals: ${a}, ${b}`);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** a + b, exactly. */
export function add(a: string, b: string): string {
  const places = Math.max(fractionLength(a), fractionLength(b));
  return unscale(scale(a, places)! + scale(b, places)!, places);
}

function fractionLength(value: string): number {
  const dot = value.indexOf('.');
  return dot < 0 ? 0 : value.length - dot - 1;
}
