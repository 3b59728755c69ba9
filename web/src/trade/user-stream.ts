import { ReconnectingSocket, type SocketState, wsUrl } from '../lib/reconnecting-socket.ts';
import type { RestClient } from '../lib/rest-client.ts';
import type { Credentials } from '../lib/signing.ts';

/** Binance keeps a listen key for 60 minutes after its last keepalive; renew well before. */
const KEEPALIVE_MS = 30 * 60_000;

/**
 * The user-data stream: a listen key from `POST /api/v3/userDataStream` (API key only), then
 * `/ws/<listenKey>`. A new listen key is asked for after every reconnect, since an old one may have
 * expired while the page was offline.
 */
export class UserStream {
  readonly #socket: ReconnectingSocket;
  readonly #timer: ReturnType<typeof setInterval>;
  #listenKey = '';

  private constructor(
    rest: RestClient,
    credentials: Credentials,
    apiOrigin: string,
    listenKey: string,
    onEvent: (event: { e?: string }) => void,
    onState: (state: SocketState) => void,
  ) {
    this.#listenKey = listenKey;
    let reconnecting = false;
    const url = async () => {
      // After a drop the server may have forgotten the key (a restart): ask for one again.
      if (reconnecting) this.#listenKey = (await newListenKey(rest, credentials)).listenKey;
      return wsUrl(apiOrigin, `/ws/${this.#listenKey}`);
    };
    this.#socket = new ReconnectingSocket(url, {
      onMessage: (data) => onEvent(data as { e?: string }),
      onState: (state) => {
        onState(state);
        if (state === 'closed') reconnecting = true;
        if (state === 'open' && reconnecting) onEvent({ e: 'reconnected' });
      },
    });
    this.#timer = setInterval(() => {
      newListenKey(rest, credentials)
        .then((answer) => {
          this.#listenKey = answer.listenKey;
        })
        .catch((error: unknown) => console.error('listen key renewal failed', error));
    }, KEEPALIVE_MS);
  }

  static async open(
    rest: RestClient,
    credentials: Credentials,
    apiOrigin: string,
    onEvent: (event: { e?: string }) => void,
    onState: (state: SocketState) => void,
  ): Promise<UserStream> {
    const { listenKey } = await newListenKey(rest, credentials);
    return new UserStream(rest, credentials, apiOrigin, listenKey, onEvent, onState);
  }

  close(): void {
    clearInterval(this.#timer);
    this.#socket.close();
  }
}

function newListenKey(rest: RestClient, credentials: Credentials): Promise<{ listenKey: string }> {
  return rest.keyed<{ listenKey: string }>('POST', '/api/v3/userDataStream', {}, credentials);
}
