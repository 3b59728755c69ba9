import { type Amount, AmountFormatError, parseAmount } from '../../domain/amount.ts';
import { errors } from './api-error.ts';

/**
 * Decimal strings on the wire. Amounts stay integers in minor units inside; these two functions are
 * the only conversions, and both are exact.
 */

/**
 * formatAmount without bigint, for the hot read paths (a depth answer formats hundreds of numbers).
 * Safe integers print as plain digits, so the string can be cut in place.
 */
export function formatMinor(minor: Amount, decimals: number): string {
  if (decimals === 0) return String(minor);
  const negative = minor < 0;
  let digits = String(negative ? -minor : minor);
  if (digits.length <= decimals) digits = '0'.repeat(decimals - digits.length + 1) + digits;
  const cut = digits.length - decimals;
  const text = `${digits.slice(0, cut)}.${digits.slice(cut)}`;
  return negative ? `-${text}` : text;
}

/**
 * A request's decimal parameter in minor units. More decimals than the asset has is Binance's -1111;
 * a value past the safe range is malformed (-1100): nothing on this exchange can be that large.
 */
export function parseDecimalParam(name: string, text: string, decimals: number): Amount {
  try {
    return parseAmount(text, decimals);
  } catch (error) {
    if (error instanceof AmountFormatError && /decimal places/.test(error.message))
      throw errors.precision(name);
    throw errors.illegalChars(name, '^([0-9]{1,20})(\\.[0-9]{1,20})?$');
  }
}
