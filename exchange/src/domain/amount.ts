/**
 * Money and quantities are integers in an asset's minor units (1 BTC = 10^8 when BTC has 8 decimals).
 *
 * The hot path keeps them as JS numbers: every amount is a safe integer, and the engine caps each
 * asset's total supply at Number.MAX_SAFE_INTEGER at deposit time. Because balances are conserved,
 * no balance, lock or sum of them can exceed the supply, so additions never leave the safe range.
 * Products (price x quantity, notional x fee rate) can, so they go through `mulDiv`, which is exact:
 * it falls back to bigint when the float product is not provably exact.
 */

export type Amount = number;

const TEN = 10n;

export class AmountFormatError extends Error {
  readonly code = 'AMOUNT_FORMAT';
}

const DECIMAL_PATTERN = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses a non-negative decimal string exactly into minor units.
 * "0.1" with 8 decimals is 10000000, never 10000000.000000001; more decimals than allowed is an error,
 * not a rounding, unless the extra digits are zeros.
 */
export function parseAmount(text: string, decimals: number): Amount {
  const match = DECIMAL_PATTERN.exec(text);
  if (match === null) throw new AmountFormatError(`"${text}" is not a plain non-negative decimal number`);
  const whole = match[1] ?? '0';
  const rawFraction = match[2] ?? '';
  const fraction = rawFraction.replace(/0+$/, '');
  if (fraction.length > decimals) {
    throw new AmountFormatError(`"${text}" has more than ${decimals} decimal places`);
  }
  const minor = BigInt(whole) * TEN ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new AmountFormatError(`"${text}" is too large`);
  }
  return Number(minor);
}

/** Formats minor units as a decimal string with exactly `decimals` places ("0.10000000"). */
export function formatAmount(minor: Amount | bigint, decimals: number): string {
  const value = BigInt(minor);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, '0');
  const cut = digits.length - decimals;
  const text = decimals === 0 ? digits : `${digits.slice(0, cut)}.${digits.slice(cut)}`;
  return negative ? `-${text}` : text;
}

/**
 * Exact floor(a * b / d) or ceil(a * b / d) for non-negative safe integers a, b and positive d.
 * When the float product is a safe integer it is exact (rounding is monotonic, so a true product
 * at or above 2^53 can never round down into the safe range); otherwise bigint does the work.
 * The result is returned as a number when it is safe and as Infinity when it is not, which every
 * caller compares against a balance and so rejects.
 */
export function mulDiv(a: number, b: number, d: number, roundUp: boolean): number {
  const product = a * b;
  if (Number.isSafeInteger(product)) {
    const q = Math.floor(product / d);
    // product and d are exact, so product - q*d is exact too and corrects any rounding in the division.
    const r = product - q * d;
    if (r < 0) return roundUp ? q : q - 1;
    if (r >= d) return roundUp && r - d > 0 ? q + 2 : q + 1;
    return roundUp && r > 0 ? q + 1 : q;
  }
  const big = BigInt(a) * BigInt(b);
  const bd = BigInt(d);
  let q = big / bd;
  if (roundUp && q * bd !== big) q += 1n;
  return q > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(q);
}

export function isAmount(value: unknown): value is Amount {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
