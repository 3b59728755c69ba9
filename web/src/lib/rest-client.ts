import type { Credentials } from './signing.ts';

/** A refusal from the API, with Binance's code and message. */
export class ApiError extends Error {
  readonly code: number;
  readonly status: number;
  constructor(status: number, code: number, msg: string) {
    super(msg);
    this.status = status;
    this.code = code;
  }
}

export type ParamValue = string | number | boolean | undefined;
export type QueryParams = Readonly<Record<string, ParamValue>>;

/**
 * Binance's REST API, as any client calls it: public GETs, API-key requests, and signed requests
 * (timestamp, recvWindow and signature in the query string).
 */
export class RestClient {
  readonly #base: string;

  /** `base` is the API's origin ("" for the page's own). */
  constructor(base: string) {
    this.#base = base;
  }

  get<T>(path: string, params: QueryParams = {}): Promise<T> {
    return this.#send<T>('GET', path, query(params), {});
  }

  /** A request that names the key but needs no signature (listen keys). */
  keyed<T>(method: string, path: string, params: QueryParams, credentials: Credentials): Promise<T> {
    return this.#send<T>(method, path, query(params), { 'X-MBX-APIKEY': credentials.apiKey });
  }

  async signed<T>(method: string, path: string, params: QueryParams, credentials: Credentials): Promise<T> {
    const payload = query({ ...params, recvWindow: 5000, timestamp: Date.now() });
    const signature = await credentials.sign(payload);
    return this.#send<T>(method, path, `${payload}&signature=${encodeURIComponent(signature)}`, {
      'X-MBX-APIKEY': credentials.apiKey,
    });
  }

  async #send<T>(method: string, path: string, search: string, headers: Record<string, string>): Promise<T> {
    const url = `${this.#base}${path}${search === '' ? '' : `?${search}`}`;
    let response: Response;
    try {
      response = await fetch(url, { method, headers });
    } catch (error) {
      throw new ApiError(0, -1001, `cannot reach the exchange: ${(error as Error).message}`);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError(response.status, -1000, `unexpected answer (HTTP ${response.status})`);
    }
    if (!response.ok) {
      const { code, msg } = body as { code?: number; msg?: string };
      throw new ApiError(response.status, code ?? -1000, msg ?? `HTTP ${response.status}`);
    }
    return body as T;
  }
}

function query(params: QueryParams): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) parts.push(`${name}=${encodeURIComponent(String(value))}`);
  }
  return parts.join('&');
}
