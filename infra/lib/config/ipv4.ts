/**
 * IPv4 CIDR arithmetic on unsigned 32-bit integers. Pure: no I/O, no clock, no randomness.
 */

export interface Cidr {
  /** First address of the range, as an unsigned 32-bit integer. */
  readonly base: number;
  /** Prefix length, 0..32. */
  readonly prefixLength: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; returns an error message instead of throwing so that validation can collect it. */
export function parseCidr(text: string): Cidr | string {
  const match = CIDR_PATTERN.exec(text);
  if (!match) return `'${text}' is not an IPv4 CIDR such as 10.0.0.0/16`;
  const octets = match.slice(1, 5).map(Number);
  const prefixLength = Number(match[5]);
  if (octets.some((o) => o > 255)) return `'${text}' has an octet above 255`;
  if (prefixLength > 32) return `'${text}' has a prefix length above 32`;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  if (base % size(prefixLength) !== 0) {
    return `'${text}' has host bits set; did you mean ${formatCidr({ base: base - (base % size(prefixLength)), prefixLength })}?`;
  }
  return { base, prefixLength };
}

/** Like parseCidr, for values already validated. */
export function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

/** Number of addresses in a block of this prefix length. */
export function size(prefixLength: number): number {
  return 2 ** (32 - prefixLength);
}

export function formatCidr(c: Cidr): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(c.base / 2 ** shift) % 256);
  return `${octets.join('.')}/${c.prefixLength}`;
}

/** Last address of the range (inclusive). */
export function lastAddress(c: Cidr): number {
  return c.base + size(c.prefixLength) - 1;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base <= lastAddress(b) && b.base <= lastAddress(a);
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  return outer.base <= inner.base && lastAddress(inner) <= lastAddress(outer);
}

/** Smallest prefix length whose block holds at least `addresses` addresses. */
export function prefixLengthFor(addresses: number): number {
  let prefixLength = 32;
  while (prefixLength > 0 && size(prefixLength) < addresses) prefixLength -= 1;
  return prefixLength;
}
