export type SocketState = 'connecting' | 'open' | 'closed';

export interface ReconnectingSocketOptions {
  /** Called with each message's parsed JSON. */
  readonly onMessage: (data: unknown) => void;
  /** Called on every change of state; `open` again after a reconnect. */
  readonly onState: (state: SocketState) => void;
  /** @default 500 */
  readonly firstRetryMs?: number;
  /** @default 8000 */
  readonly maxRetryMs?: number;
}

/**
 * A WebSocket that comes back by itself: after a drop it retries with a doubling delay (up to
 * maxRetryMs), and reports each state so the page can show that it is offline and resync on return.
 */
export class ReconnectingSocket {
  readonly #url: () => string | Promise<string>;
  readonly #options: ReconnectingSocketOptions;
  #socket: WebSocket | undefined;
  #retryMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  /** `url` is asked again at each attempt (a user-data stream needs a fresh listen key after a drop). */
  constructor(url: () => string | Promise<string>, options: ReconnectingSocketOptions) {
    this.#url = url;
    this.#options = options;
    this.#retryMs = options.firstRetryMs ?? 500;
    this.#connect();
  }

  close(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#socket?.close();
  }

  #connect(): void {
    this.#options.onState('connecting');
    Promise.resolve()
      .then(() => this.#url())
      .then(
        (url) => {
          if (!this.#stopped) this.#open(url);
        },
        (error: unknown) => {
          console.error('cannot connect', error);
          this.#retry();
        },
      );
  }

  #retry(): void {
    this.#options.onState('closed');
    if (this.#stopped) return;
    this.#timer = setTimeout(() => this.#connect(), this.#retryMs);
    this.#retryMs = Math.min(this.#retryMs * 2, this.#options.maxRetryMs ?? 8000);
  }

  #open(url: string): void {
    const socket = new WebSocket(url);
    this.#socket = socket;
    socket.onopen = () => {
      this.#retryMs = this.#options.firstRetryMs ?? 500;
      this.#options.onState('open');
    };
    socket.onmessage = (event) => {
      try {
        this.#options.onMessage(JSON.parse(String(event.data)));
      } catch (error) {
        console.error('unreadable stream message', error);
      }
    };
    socket.onclose = () => {
      if (this.#socket === socket) this.#retry();
    };
  }
}

/** ws:// or wss:// URL for a path on the API's origin ("" means the page's own). */
export function wsUrl(apiOrigin: string, path: string): string {
  const base = apiOrigin === '' ? location.origin : apiOrigin;
  return `${base.replace(/^http/, 'ws')}${path}`;
}
