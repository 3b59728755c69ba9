import type { RejectReason } from '../../domain/reject-reason.ts';

/**
 * Binance's error codes, as its Spot API documents them. Clients match on `code`, never on `msg`,
 * so a code keeps its meaning for ever; the message may be reworded.
 */
export const BinanceCode = {
  UNKNOWN: -1000,
  DISCONNECTED: -1001,
  UNAUTHORIZED: -1002,
  TOO_MANY_REQUESTS: -1003,
  TIMEOUT: -1007,
  SERVER_BUSY: -1008,
  INVALID_MESSAGE: -1013,
  UNKNOWN_ORDER_COMPOSITION: -1014,
  TOO_MANY_ORDERS: -1015,
  UNSUPPORTED_OPERATION: -1020,
  INVALID_TIMESTAMP: -1021,
  INVALID_SIGNATURE: -1022,
  ILLEGAL_CHARS: -1100,
  TOO_MANY_PARAMETERS: -1101,
  MANDATORY_PARAM_EMPTY_OR_MALFORMED: -1102,
  UNKNOWN_PARAM: -1103,
  UNREAD_PARAMETERS: -1104,
  PARAM_EMPTY: -1105,
  PARAM_NOT_REQUIRED: -1106,
  BAD_PRECISION: -1111,
  INVALID_TIF: -1115,
  INVALID_ORDER_TYPE: -1116,
  INVALID_SIDE: -1117,
  BAD_SYMBOL: -1121,
  INVALID_LISTEN_KEY: -1125,
  BAD_INTERVAL: -1120,
  INVALID_PARAMETER_COMBINATION: -1128,
  INVALID_PARAMETER: -1130,
  BAD_RECV_WINDOW: -1131,
  INVALID_TIME_UNIT: -1194,
  NEW_ORDER_REJECTED: -2010,
  CANCEL_REJECTED: -2011,
  NO_SUCH_ORDER: -2013,
  BAD_API_KEY_FMT: -2014,
  REJECTED_MBX_KEY: -2015,
  CANCEL_REPLACE_PARTIALLY_FAILED: -2021,
  CANCEL_REPLACE_FAILED: -2022,
  SUBSCRIPTION_ACTIVE: -2035,
  SUBSCRIPTION_INACTIVE: -2036,
} as const;

export type BinanceCode = (typeof BinanceCode)[keyof typeof BinanceCode];

/**
 * An answer in Binance's `{code, msg}` shape with its HTTP status. It is an outcome the client caused
 * (or a limit it hit), never a fault of the server: handlers throw it, the HTTP layer writes it.
 */
export class ApiError extends Error {
  readonly code: BinanceCode;
  readonly status: number;
  /** Extra fields of the body, such as cancelReplace's `data`. */
  readonly data: Record<string, unknown> | undefined;

  constructor(code: BinanceCode, msg: string, status = 400, data?: Record<string, unknown>) {
    super(msg);
    this.code = code;
    this.status = status;
    this.data = data;
  }

  body(): Record<string, unknown> {
    return this.data === undefined
      ? { code: this.code, msg: this.message }
      : { code: this.code, msg: this.message, data: this.data };
  }
}

/** Which request the engine rejected: the same reason reads differently on a new order and a cancel. */
export type RejectedOperation = 'NEW_ORDER' | 'CANCEL' | 'QUERY';

interface Mapping {
  /** A fixed code, or undefined for the operation's own rejection code (-2010, -2011 or -2013). */
  readonly code?: BinanceCode;
  readonly msg: string;
}

/**
 * THE table from the engine's rejection codes to Binance's errors: every RejectReason has a row, so
 * a new reason fails the type check until it is mapped. Filter failures carry the filter's name as
 * Binance writes it ("Filter failure: LOT_SIZE").
 */
const REJECT_TABLE: Readonly<Record<RejectReason, Mapping>> = {
  INVALID_COMMAND: { msg: 'The order was refused as malformed.' },
  UNKNOWN_ASSET: { code: BinanceCode.INVALID_PARAMETER, msg: 'Unknown asset.' },
  ASSET_EXISTS: { code: BinanceCode.INVALID_PARAMETER, msg: 'Asset already exists.' },
  UNKNOWN_SYMBOL: { code: BinanceCode.BAD_SYMBOL, msg: 'Invalid symbol.' },
  SYMBOL_EXISTS: { code: BinanceCode.INVALID_PARAMETER, msg: 'Symbol already exists.' },
  INVALID_MARKET_CONFIG: { code: BinanceCode.INVALID_PARAMETER, msg: 'Invalid market configuration.' },
  MARKET_HALTED: { msg: 'Market is closed.' },
  MARKET_NOT_HALTED: { code: BinanceCode.INVALID_PARAMETER, msg: 'Market is not halted.' },
  INVALID_USER: { msg: 'This action is disabled on this account.' },
  INVALID_AMOUNT: { code: BinanceCode.INVALID_PARAMETER, msg: 'Invalid amount.' },
  SUPPLY_LIMIT: { code: BinanceCode.INVALID_PARAMETER, msg: 'The amount exceeds the asset supply limit.' },
  INSUFFICIENT_BALANCE: { msg: 'Account has insufficient balance for requested action.' },
  UNKNOWN_WITHDRAWAL: { code: BinanceCode.INVALID_PARAMETER, msg: 'Unknown withdrawal.' },
  DUPLICATE_WITHDRAWAL_ID: { code: BinanceCode.INVALID_PARAMETER, msg: 'Duplicate withdrawal id.' },
  INVALID_PRICE: { code: BinanceCode.INVALID_MESSAGE, msg: 'Filter failure: PRICE_FILTER' },
  PRICE_NOT_ON_TICK: { code: BinanceCode.INVALID_MESSAGE, msg: 'Filter failure: PRICE_FILTER' },
  INVALID_QUANTITY: { code: BinanceCode.INVALID_MESSAGE, msg: 'Filter failure: LOT_SIZE' },
  QUANTITY_NOT_ON_LOT: { code: BinanceCode.INVALID_MESSAGE, msg: 'Filter failure: LOT_SIZE' },
  QUANTITY_BELOW_MIN: { code: BinanceCode.INVALID_MESSAGE, msg: 'Filter failure: LOT_SIZE' },
  QUANTITY_ABOVE_MAX: { code: BinanceCode.INVALID_MESSAGE, msg: 'Filter failure: LOT_SIZE' },
  BELOW_MIN_NOTIONAL: { code: BinanceCode.INVALID_MESSAGE, msg: 'Filter failure: NOTIONAL' },
  ABOVE_MAX_NOTIONAL: { code: BinanceCode.INVALID_MESSAGE, msg: 'Filter failure: NOTIONAL' },
  INVALID_TIME_IN_FORCE: { code: BinanceCode.INVALID_TIF, msg: 'Invalid timeInForce.' },
  INVALID_ORDER_TYPE: { code: BinanceCode.INVALID_ORDER_TYPE, msg: 'Invalid orderType.' },
  WOULD_TAKE_AS_MAKER: { msg: 'Order would immediately match and take.' },
  DUPLICATE_CLIENT_ORDER_ID: { msg: 'Duplicate order sent.' },
  UNKNOWN_ORDER: { msg: 'Unknown order sent.' },
  INVALID_STP_MODE: { code: BinanceCode.INVALID_PARAMETER, msg: 'Invalid selfTradePreventionMode.' },
  INVALID_TRAILING_DELTA: { code: BinanceCode.INVALID_MESSAGE, msg: 'Filter failure: TRAILING_DELTA' },
  WOULD_TRIGGER_IMMEDIATELY: { msg: 'Order would trigger immediately.' },
  NO_REFERENCE_PRICE: {
    msg: 'A trailing stop buy without stopPrice needs a last trade price to reserve funds at.',
  },
};

const OPERATION_CODE: Readonly<Record<RejectedOperation, BinanceCode>> = {
  NEW_ORDER: BinanceCode.NEW_ORDER_REJECTED,
  CANCEL: BinanceCode.CANCEL_REJECTED,
  QUERY: BinanceCode.NO_SUCH_ORDER,
};

/** The Binance error for an engine rejection of `operation`. */
export function rejectionError(reason: RejectReason, operation: RejectedOperation): ApiError {
  const mapping = REJECT_TABLE[reason];
  if (operation === 'QUERY' && reason === 'UNKNOWN_ORDER') {
    return new ApiError(BinanceCode.NO_SUCH_ORDER, 'Order does not exist.');
  }
  return new ApiError(mapping.code ?? OPERATION_CODE[operation], mapping.msg);
}

/** The mapping itself, for the docs page and the table test. */
export function rejectionTable(): Readonly<Record<RejectReason, Mapping>> {
  return REJECT_TABLE;
}

// ---- validation failures at the edge, one constructor per Binance code -------------------------

export const errors = {
  illegalChars: (name: string, legal: string) =>
    new ApiError(
      BinanceCode.ILLEGAL_CHARS,
      `Illegal characters found in parameter '${name}'; legal range is '${legal}'.`,
    ),
  tooManyParameters: (name: string) =>
    new ApiError(BinanceCode.TOO_MANY_PARAMETERS, `Duplicate values for parameter '${name}'.`),
  mandatory: (name: string) =>
    new ApiError(
      BinanceCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED,
      `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`,
    ),
  unknownParam: (name: string) =>
    new ApiError(BinanceCode.UNKNOWN_PARAM, `An unknown parameter was sent: '${name}'.`),
  unread: (name: string) =>
    new ApiError(
      BinanceCode.UNREAD_PARAMETERS,
      `Not all sent parameters were read: '${name}' was sent in both the query string and the body.`,
    ),
  empty: (name: string) => new ApiError(BinanceCode.PARAM_EMPTY, `Parameter '${name}' was empty.`),
  notRequired: (name: string) =>
    new ApiError(BinanceCode.PARAM_NOT_REQUIRED, `Parameter '${name}' sent when not required.`),
  precision: (name: string) =>
    new ApiError(BinanceCode.BAD_PRECISION, `Parameter '${name}' has too much precision.`),
  invalidTif: () => new ApiError(BinanceCode.INVALID_TIF, 'Invalid timeInForce.'),
  invalidOrderType: () => new ApiError(BinanceCode.INVALID_ORDER_TYPE, 'Invalid orderType.'),
  invalidSide: () => new ApiError(BinanceCode.INVALID_SIDE, 'Invalid side.'),
  badSymbol: () => new ApiError(BinanceCode.BAD_SYMBOL, 'Invalid symbol.'),
  badInterval: () => new ApiError(BinanceCode.BAD_INTERVAL, 'Invalid interval.'),
  combination: (msg: string) => new ApiError(BinanceCode.INVALID_PARAMETER_COMBINATION, msg),
  invalidParameter: (name: string, detail: string) =>
    new ApiError(BinanceCode.INVALID_PARAMETER, `Invalid data sent for parameter '${name}': ${detail}`),
  badRecvWindow: () =>
    new ApiError(BinanceCode.BAD_RECV_WINDOW, 'recvWindow must be less than or equal to 60000.'),
  timestampAhead: () =>
    new ApiError(
      BinanceCode.INVALID_TIMESTAMP,
      "Timestamp for this request was 1000ms ahead of the server's time.",
    ),
  timestampOutside: () =>
    new ApiError(BinanceCode.INVALID_TIMESTAMP, 'Timestamp for this request is outside of the recvWindow.'),
  badSignature: () => new ApiError(BinanceCode.INVALID_SIGNATURE, 'Signature for this request is not valid.'),
  badApiKeyFormat: () => new ApiError(BinanceCode.BAD_API_KEY_FMT, 'API-key format invalid.'),
  rejectedKey: () =>
    new ApiError(BinanceCode.REJECTED_MBX_KEY, 'Invalid API-key, IP, or permissions for action.', 401),
  invalidListenKey: () => new ApiError(BinanceCode.INVALID_LISTEN_KEY, 'This listenKey does not exist.'),
  tooManyRequests: (status: 429 | 418, msg: string) =>
    new ApiError(BinanceCode.TOO_MANY_REQUESTS, msg, status),
  tooManyOrders: (msg: string) => new ApiError(BinanceCode.TOO_MANY_ORDERS, msg, 429),
  /** A documented request that needs what Bourse has not built (order lists, SOR, ...). */
  unsupported: (what: string, feature: string) =>
    new ApiError(
      BinanceCode.UNSUPPORTED_OPERATION,
      `This operation is not supported: ${what} needs ${feature}, which Bourse does not offer yet.`,
    ),
  // Binance's -1020 ("This operation is not supported"), not -1000: clients treat -1000 as a
  // transient fault and retry (ccxt raises OperationFailed), where an endpoint Bourse lacks is final
  // (ccxt: BadRequest).
  unknownPath: (method: string, path: string) =>
    new ApiError(
      BinanceCode.UNSUPPORTED_OPERATION,
      `This operation is not supported: Bourse has no endpoint ${method} ${path.slice(0, 200)}.`,
      404,
    ),
  methodNotAllowed: (method: string, path: string) =>
    new ApiError(
      BinanceCode.UNSUPPORTED_OPERATION,
      `This operation is not supported: ${path.slice(0, 200)} does not take ${method}.`,
      405,
    ),
  payloadTooLarge: () => new ApiError(BinanceCode.ILLEGAL_CHARS, 'Request body too large.', 413),
  headersTooLarge: () => new ApiError(BinanceCode.ILLEGAL_CHARS, 'Request header fields too large.', 431),
  malformedRequest: () =>
    new ApiError(BinanceCode.INVALID_MESSAGE, 'Malformed HTTP request: unknown method or bad syntax.', 400),
  requestTimeout: () =>
    new ApiError(BinanceCode.DISCONNECTED, 'The request was not received in time; send it again.', 408),
  busy: () =>
    new ApiError(BinanceCode.SERVER_BUSY, 'Server is currently overloaded with other requests.', 503),
  timeout: () =>
    new ApiError(
      BinanceCode.TIMEOUT,
      'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
      503,
    ),
  internal: () =>
    new ApiError(BinanceCode.UNKNOWN, 'An unknown error occurred while processing the request.', 500),
};
