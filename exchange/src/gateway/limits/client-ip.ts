import type { IncomingMessage } from 'node:http';

/**
 * The IP a request counts against, for every door (REST and WebSockets): the peer's address, or
 * behind a load balancer that the operator trusts, the first address of X-Forwarded-For.
 */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}
