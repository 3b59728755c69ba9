import type { ClientSocket } from './client-socket.ts';
import type { StreamHub } from './stream-hub.ts';
import type { MarketStream } from './stream-names.ts';

/** What a market-stream connection needs from the gateway. */
export interface MarketConnectionDeps {
  readonly hub: StreamHub<MarketStream>;
  readonly parse: (name: string) => MarketStream | undefined;
  /** Told of each new subscription, so depth diff windows start in time. */
  readonly subscribed: (name: string, stream: MarketStream) => void;
  readonly maxStreams: number;
}

type RequestId = number | string | null;

/**
 * A connection to /ws or /stream: its market streams and Binance's live subscription requests,
 * SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY and GET_PROPERTY (the `combined` property).
 */
export class MarketConnection {
  readonly socket: ClientSocket;
  private readonly deps: MarketConnectionDeps;
  private readonly streams = new Set<string>();

  constructor(socket: ClientSocket, deps: MarketConnectionDeps) {
    this.socket = socket;
    this.deps = deps;
  }

  /** Subscribes a stream named in the URL; false when the name is no stream. */
  add(name: string): boolean {
    const stream = this.deps.parse(name);
    if (stream === undefined || this.streams.size >= this.deps.maxStreams) return false;
    this.subscribe(name, stream);
    return true;
  }

  close(): void {
    for (const name of this.streams) this.deps.hub.unsubscribe(name, this.socket);
    this.streams.clear();
  }

  handle(text: string): void {
    let request: unknown;
    try {
      request = JSON.parse(text);
    } catch {
      this.error(null, 3, 'Invalid JSON: expected value at line 1 column 1');
      return;
    }
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      this.error(null, 3, 'Invalid JSON: expected an object');
      return;
    }
    const { method, params, id: rawId } = request as Record<string, unknown>;
    if (!isRequestId(rawId)) {
      this.error(null, 2, 'Invalid request: request ID must be an unsigned integer');
      return;
    }
    const id = rawId ?? null;
    switch (method) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': {
        if (!Array.isArray(params) || !params.every((p) => typeof p === 'string')) {
          this.error(id, 2, 'Invalid request: params must be an array of stream names');
          return;
        }
        if (method === 'UNSUBSCRIBE') {
          for (const name of params as string[]) this.unsubscribe(name);
          this.socket.sendJson({ result: null, id });
          return;
        }
        const parsed: [string, MarketStream][] = [];
        for (const name of params as string[]) {
          const stream = this.deps.parse(name);
          if (stream === undefined) {
            this.error(id, 2, `Invalid request: invalid stream name '${name.slice(0, 100)}'`);
            return;
          }
          parsed.push([name, stream]);
        }
        const added = parsed.filter(([name]) => !this.streams.has(name)).length;
        if (this.streams.size + added > this.deps.maxStreams) {
          this.error(
            id,
            2,
            `Invalid request: a connection can listen to at most ${this.deps.maxStreams} streams`,
          );
          return;
        }
        for (const [name, stream] of parsed) this.subscribe(name, stream);
        this.socket.sendJson({ result: null, id });
        return;
      }
      case 'LIST_SUBSCRIPTIONS':
        this.socket.sendJson({ result: [...this.streams], id });
        return;
      case 'SET_PROPERTY': {
        if (!Array.isArray(params) || params.length !== 2 || params[0] !== 'combined') {
          this.error(id, 0, 'Unknown property');
          return;
        }
        if (typeof params[1] !== 'boolean') {
          this.error(id, 1, 'Invalid value type: expected Boolean');
          return;
        }
        this.socket.combined = params[1];
        this.socket.sendJson({ result: null, id });
        return;
      }
      case 'GET_PROPERTY': {
        if (!Array.isArray(params) || params.length !== 1 || params[0] !== 'combined') {
          this.error(id, 0, 'Unknown property');
          return;
        }
        this.socket.sendJson({ result: this.socket.combined, id });
        return;
      }
      default:
        this.error(
          id,
          2,
          'Invalid request: unknown variant, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`',
        );
    }
  }

  private subscribe(name: string, stream: MarketStream): void {
    if (this.streams.has(name)) return;
    this.streams.add(name);
    this.deps.subscribed(name, stream);
    this.deps.hub.subscribe(name, stream, this.socket);
  }

  private unsubscribe(name: string): void {
    if (!this.streams.delete(name)) return;
    this.deps.hub.unsubscribe(name, this.socket);
  }

  private error(id: RequestId, code: number, msg: string): void {
    this.socket.sendJson({ error: { code, msg }, id });
  }
}

/** Binance takes an unsigned integer, a string of up to 36 characters, or null. */
function isRequestId(id: unknown): id is RequestId | undefined {
  if (id === undefined || id === null) return true;
  if (typeof id === 'number') return Number.isSafeInteger(id) && id >= 0;
  return typeof id === 'string' && id.length <= 36;
}
