import { errors } from '../binance/api-error.ts';
import type { Params } from '../binance/params.ts';

const DEFAULT_RECV_WINDOW_MS = 5_000;
const MAX_RECV_WINDOW_MS = 60_000;
/** Binance refuses a timestamp more than one second in its future. */
const MAX_AHEAD_MS = 1_000;

/**
 * Binance's timing security, the same for REST and the WebSocket API: `timestamp` no more than a
 * second ahead of the server's clock and no older than `recvWindow` (default 5000 ms, at most 60000).
 */
export function checkRequestTime(params: Params, nowMs: number): void {
  const recvWindow = params.int('recvWindow') ?? DEFAULT_RECV_WINDOW_MS;
  if (recvWindow <= 0 || recvWindow > MAX_RECV_WINDOW_MS) throw errors.badRecvWindow();
  const timestamp = params.int('timestamp');
  if (timestamp === undefined) throw errors.mandatory('timestamp');
  if (timestamp > nowMs + MAX_AHEAD_MS) throw errors.timestampAhead();
  if (nowMs - timestamp > recvWindow) throw errors.timestampOutside();
}
