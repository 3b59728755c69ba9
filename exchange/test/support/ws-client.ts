import { WebSocket } from 'ws';

/**
 * A test client: every message parsed and queued, and `next(predicate)` takes the first queued or future
 * message that matches (leaving the others queued), so tests wait on events, not on time.
 */
export class TestClient {
  readonly ws: WebSocket;
  readonly messages: unknown[] = [];
  private waiters: { predicate: (m: unknown) => boolean; resolve: (m: unknown) => void }[] = [];
  closed: Promise<{ code: number }>;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as unknown;
      const index = this.waiters.findIndex((w) => w.predicate(message));
      if (index >= 0) {
        const [waiter] = this.waiters.splice(index, 1);
        waiter!.resolve(message);
      } else {
        this.messages.push(message);
      }
    });
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve({ code })));
  }

  static async open(
    url: string,
    options: ConstructorParameters<typeof WebSocket>[2] = {},
  ): Promise<TestClient> {
    const ws = new WebSocket(url, options);
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  send(data: unknown): void {
    this.ws.send(JSON.stringify(data));
  }

  // biome-ignore lint/suspicious/noExplicitAny: test messages are loosely typed JSON
  next(predicate: (m: any) => boolean = () => true): Promise<any> {
    const index = this.messages.findIndex(predicate);
    if (index >= 0) {
      const [message] = this.messages.splice(index, 1);
      return Promise.resolve(message);
    }
    return new Promise((resolve) => this.waiters.push({ predicate, resolve }));
  }

  /** Sends a request and waits for the reply with the same id. */
  // biome-ignore lint/suspicious/noExplicitAny: test messages are loosely typed JSON
  request(data: { id: number | string } & Record<string, unknown>): Promise<any> {
    const reply = this.next(
      (m) => m !== null && typeof m === 'object' && (m as { id?: unknown }).id === data.id,
    );
    this.send(data);
    return reply;
  }

  async close(): Promise<void> {
    this.ws.close();
    await this.closed;
  }
}

/**
 * Sends a request meant to be one message too many: `{closed: code}` when the server closes the
 * connection before answering it, `{answered}` when it answers instead.
 */
export function cutOff(client: TestClient, id: number): Promise<{ closed: number } | { answered: unknown }> {
  const answered = client.next((m) => m.id === id).then((answer: unknown) => ({ answered: answer }));
  client.send({ method: 'LIST_SUBSCRIPTIONS', id });
  return Promise.race([client.closed.then(({ code }) => ({ closed: code })), answered]);
}

/** An upgrade the server refused: its HTTP status, Retry-After and body. */
export function refusedUpgrade(
  url: string,
): Promise<{ status: number; retryAfter: string | undefined; body: { code: number; msg: string } }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('open', () => {
      ws.close();
      reject(new Error('the connection was accepted'));
    });
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          retryAfter: res.headers['retry-after'] as string | undefined,
          body: JSON.parse(text) as { code: number; msg: string },
        }),
      );
    });
    ws.on('error', () => {});
  });
}
