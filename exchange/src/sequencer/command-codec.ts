import { Buffer } from 'node:buffer';
import type { CancelOrder, Command, PlaceOrder, UnstampedCommand } from '../domain/commands.ts';

/**
 * Commands travel through the log without their seq and ts, which the record header carries.
 *
 * The two commands that make up nearly all traffic, PlaceOrder and CancelOrder, have a compact binary
 * form: encoding and decoding them costs a fraction of JSON, which is what lets recovery replay a
 * million commands in about a second. Everything else, and any order whose fields are not of the
 * shape the binary form holds, is JSON. Either way decoding gives back the same values that were
 * encoded (a binary-decoded command lists its absent optional fields as undefined, and a JSON one
 * drops fields that were undefined; the engine reads absent and undefined alike), so replay feeds
 * the engine exactly what it saw the first time.
 *
 * Binary layout (little endian): tag u8, then
 *   PlaceOrder:  userId f64, side u8, orderType u8, presence u8, [timeInForce u8], [stpMode u8],
 *                [price f64], [quantity f64], [quoteOrderQty f64], symbol (u8 length + bytes),
 *                [clientOrderId (u8 length + bytes)]
 *   CancelOrder: userId f64, presence u8, [orderId f64], symbol, [clientOrderId]
 */
const TAG_JSON = 0x7b; // '{': a JSON body needs no tag byte of its own
const TAG_PLACE = 1;
const TAG_CANCEL = 2;

const SIDES = ['BUY', 'SELL'] as const;
const ORDER_TYPES = ['LIMIT', 'MARKET', 'LIMIT_MAKER'] as const;
const TIME_IN_FORCES = ['GTC', 'IOC', 'FOK'] as const;
const STP_MODES = ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'] as const;

const HAS_TIF = 1;
const HAS_STP = 2;
const HAS_PRICE = 4;
const HAS_QUANTITY = 8;
const HAS_QUOTE = 16;
const HAS_CLIENT_ID = 32;
const HAS_ORDER_ID = 64;

// seq and ts are allowed (a stamped command, as applied, encodes as the one submitted) but never
// encoded: a log record carries them, and decoding takes them from it.
const PLACE_KEYS = new Set([
  'seq',
  'ts',
  'type',
  'userId',
  'symbol',
  'side',
  'orderType',
  'timeInForce',
  'price',
  'quantity',
  'quoteOrderQty',
  'clientOrderId',
  'stpMode',
]);
const CANCEL_KEYS = new Set(['seq', 'ts', 'type', 'userId', 'symbol', 'orderId', 'clientOrderId']);

// Encoding goes through one scratch array and a DataView over it: plain stores, no Buffer method
// calls. A transient result is a cached view of the scratch per length, so encoding allocates nothing.
const scratch = new Uint8Array(256);
const scratchView = new DataView(scratch.buffer);
const transientViews: Uint8Array[] = [];

export function encodeCommand(command: UnstampedCommand): Uint8Array {
  return Buffer.from(encodeCommandTransient(command));
}

/**
 * Like encodeCommand, but a binary result is a view of a scratch buffer that the next call
 * overwrites: for handing straight to a log, which copies payloads before append returns.
 */
export function encodeCommandTransient(command: UnstampedCommand): Uint8Array {
  const binary =
    command.type === 'PlaceOrder'
      ? encodePlace(command)
      : command.type === 'CancelOrder'
        ? encodeCancel(command)
        : 0;
  if (binary > 0) {
    let view = transientViews[binary];
    if (view === undefined) {
      view = scratch.subarray(0, binary);
      transientViews[binary] = view;
    }
    return view;
  }
  return Buffer.from(JSON.stringify(command), 'utf8');
}

/**
 * Records read from a log are views into a few large read buffers; decoding keeps one Buffer and
 * one DataView per underlying ArrayBuffer rather than making them per record.
 */
let sourceBuffer: ArrayBufferLike | undefined;
let sourceBytes: Buffer<ArrayBufferLike> = Buffer.alloc(0);
let sourceView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

export function decodeCommand(payload: Uint8Array, seq: number, ts: number): Command {
  if (payload.buffer !== sourceBuffer) {
    sourceBuffer = payload.buffer;
    sourceBytes = Buffer.from(payload.buffer);
    sourceView = new DataView(payload.buffer);
  }
  const at = payload.byteOffset;
  const tag = payload[0];
  if (tag === TAG_PLACE) return decodePlace(sourceBytes, sourceView, at, seq, ts);
  if (tag === TAG_CANCEL) return decodeCancel(sourceBytes, sourceView, at, seq, ts);
  if (tag !== TAG_JSON) throw new Error(`unknown command encoding ${String(tag)} at seq ${seq}`);
  const command = JSON.parse(sourceBytes.toString('utf8', at, at + payload.byteLength)) as {
    seq: number;
    ts: number;
  };
  command.seq = seq;
  command.ts = ts;
  return command as unknown as Command;
}

/** Bytes written to `scratch`, or 0 when the command does not fit the binary form. */
function encodePlace(command: Omit<PlaceOrder, 'seq' | 'ts'>): number {
  if (!onlyKeys(command, PLACE_KEYS)) return 0;
  const side = SIDES.indexOf(command.side);
  const orderType = ORDER_TYPES.indexOf(command.orderType as (typeof ORDER_TYPES)[number]);
  if (typeof command.userId !== 'number' || side < 0 || orderType < 0) return 0;
  let presence = 0;
  let tif = 0;
  let stp = 0;
  if (command.timeInForce !== undefined) {
    tif = TIME_IN_FORCES.indexOf(command.timeInForce);
    if (tif < 0) return 0;
    presence |= HAS_TIF;
  }
  if (command.stpMode !== undefined) {
    stp = STP_MODES.indexOf(command.stpMode);
    if (stp < 0) return 0;
    presence |= HAS_STP;
  }
  if (
    !optionalNumber(command.price) ||
    !optionalNumber(command.quantity) ||
    !optionalNumber(command.quoteOrderQty)
  ) {
    return 0;
  }
  if (command.price !== undefined) presence |= HAS_PRICE;
  if (command.quantity !== undefined) presence |= HAS_QUANTITY;
  if (command.quoteOrderQty !== undefined) presence |= HAS_QUOTE;
  if (command.clientOrderId !== undefined) presence |= HAS_CLIENT_ID;
  const view = scratchView;
  scratch[0] = TAG_PLACE;
  view.setFloat64(1, command.userId, true);
  scratch[9] = side;
  scratch[10] = orderType;
  scratch[11] = presence;
  let at = 12;
  if (presence & HAS_TIF) scratch[at++] = tif;
  if (presence & HAS_STP) scratch[at++] = stp;
  if (presence & HAS_PRICE) {
    view.setFloat64(at, command.price!, true);
    at += 8;
  }
  if (presence & HAS_QUANTITY) {
    view.setFloat64(at, command.quantity!, true);
    at += 8;
  }
  if (presence & HAS_QUOTE) {
    view.setFloat64(at, command.quoteOrderQty!, true);
    at += 8;
  }
  at = writeShortText(command.symbol, at);
  if (at > 0 && presence & HAS_CLIENT_ID) at = writeShortText(command.clientOrderId, at);
  return at;
}

function decodePlace(
  bytes: Buffer<ArrayBufferLike>,
  view: DataView<ArrayBufferLike>,
  start: number,
  seq: number,
  ts: number,
): PlaceOrder {
  const presence = bytes[start + 11]!;
  let at = start + 12;
  const timeInForce = presence & HAS_TIF ? TIME_IN_FORCES[bytes[at++]!] : undefined;
  const stpMode = presence & HAS_STP ? STP_MODES[bytes[at++]!] : undefined;
  let price: number | undefined;
  let quantity: number | undefined;
  let quoteOrderQty: number | undefined;
  if (presence & HAS_PRICE) {
    price = view.getFloat64(at, true);
    at += 8;
  }
  if (presence & HAS_QUANTITY) {
    quantity = view.getFloat64(at, true);
    at += 8;
  }
  if (presence & HAS_QUOTE) {
    quoteOrderQty = view.getFloat64(at, true);
    at += 8;
  }
  const symbol = readSymbol(bytes, at);
  at += 1 + bytes[at]!;
  const clientOrderId =
    presence & HAS_CLIENT_ID ? bytes.toString('latin1', at + 1, at + 1 + bytes[at]!) : undefined;
  // One object shape for every decoded order, absent fields as undefined: the engine's property
  // accesses stay monomorphic during replay, which more than doubles its speed.
  return {
    type: 'PlaceOrder',
    seq,
    ts,
    userId: view.getFloat64(start + 1, true),
    symbol,
    side: SIDES[bytes[start + 9]!]!,
    orderType: ORDER_TYPES[bytes[start + 10]!]!,
    timeInForce,
    price,
    quantity,
    quoteOrderQty,
    clientOrderId,
    stpMode,
  };
}

function encodeCancel(command: Omit<CancelOrder, 'seq' | 'ts'>): number {
  if (
    !onlyKeys(command, CANCEL_KEYS) ||
    typeof command.userId !== 'number' ||
    !optionalNumber(command.orderId)
  )
    return 0;
  let presence = 0;
  if (command.orderId !== undefined) presence |= HAS_ORDER_ID;
  if (command.clientOrderId !== undefined) presence |= HAS_CLIENT_ID;
  scratch[0] = TAG_CANCEL;
  scratchView.setFloat64(1, command.userId, true);
  scratch[9] = presence;
  let at = 10;
  if (presence & HAS_ORDER_ID) {
    scratchView.setFloat64(at, command.orderId!, true);
    at += 8;
  }
  at = writeShortText(command.symbol, at);
  if (at > 0 && presence & HAS_CLIENT_ID) at = writeShortText(command.clientOrderId, at);
  return at;
}

function decodeCancel(
  bytes: Buffer<ArrayBufferLike>,
  view: DataView<ArrayBufferLike>,
  start: number,
  seq: number,
  ts: number,
): CancelOrder {
  const presence = bytes[start + 9]!;
  let at = start + 10;
  let orderId: number | undefined;
  if (presence & HAS_ORDER_ID) {
    orderId = view.getFloat64(at, true);
    at += 8;
  }
  const symbol = readSymbol(bytes, at);
  at += 1 + bytes[at]!;
  const clientOrderId =
    presence & HAS_CLIENT_ID ? bytes.toString('latin1', at + 1, at + 1 + bytes[at]!) : undefined;
  return {
    type: 'CancelOrder',
    seq,
    ts,
    userId: view.getFloat64(start + 1, true),
    symbol,
    orderId,
    clientOrderId,
  };
}

/** Writes a string of at most 64 printable ASCII characters with its length; 0 when it is not one. */
function writeShortText(text: unknown, at: number): number {
  if (typeof text !== 'string' || text.length > 64) return 0;
  scratch[at] = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return 0;
    scratch[at + 1 + i] = code;
  }
  return at + 1 + text.length;
}

/**
 * A log holds few distinct symbols, so decoding hands back the same string for the same bytes: no
 * new string per record, and the engine's map lookups hit a string whose hash is already computed.
 */
const recentSymbols: string[] = [];

function readSymbol(bytes: Buffer<ArrayBufferLike>, at: number): string {
  const length = bytes[at]!;
  const slot = (length * 31 + bytes[at + 1]! * 7 + bytes[at + length]!) & 63;
  const cached = recentSymbols[slot];
  if (cached !== undefined && cached.length === length) {
    let same = true;
    for (let i = 0; i < length && same; i++) same = cached.charCodeAt(i) === bytes[at + 1 + i];
    if (same) return cached;
  }
  const symbol = bytes.toString('latin1', at + 1, at + 1 + length);
  recentSymbols[slot] = symbol;
  return symbol;
}

function optionalNumber(value: unknown): boolean {
  return value === undefined || typeof value === 'number';
}

/** True when every key of `command` is in `allowed` and no value is explicitly undefined. */
function onlyKeys(command: object, allowed: ReadonlySet<string>): boolean {
  for (const key in command) {
    if (!allowed.has(key) || (command as Record<string, unknown>)[key] === undefined) return false;
  }
  return true;
}
