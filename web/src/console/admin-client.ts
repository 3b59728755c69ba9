/** A refusal from the admin API: its HTTP status and the operator-facing message. */
export class AdminError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** The admin API on the port that served the console; every call carries the token. */
export class AdminClient {
  readonly #token: string;

  constructor(token: string) {
    this.#token = token;
  }

  get<T>(path: string): Promise<T> {
    return this.#send<T>('GET', path, undefined);
  }

  post<T>(path: string, body: Record<string, unknown> = {}): Promise<T> {
    return this.#send<T>('POST', path, body);
  }

  put<T>(path: string, body: Record<string, unknown>): Promise<T> {
    return this.#send<T>('PUT', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.#send<T>('DELETE', path, undefined);
  }

  async #send<T>(method: string, path: string, body: Record<string, unknown> | undefined): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
    });
    const value = (await response.json().catch(() => ({}))) as { error?: string };
    if (!response.ok) throw new AdminError(response.status, value.error ?? `HTTP ${response.status}`);
    return value as T;
  }
}
