import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface MetricsServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
}

/** What /health answers: 200 while `ok`, 503 otherwise, with the details as JSON. */
export interface HealthReport {
  readonly ok: boolean;
  readonly [detail: string]: unknown;
}

/**
 * The scrape endpoint, on its own port so that a scraper never queues behind the API's clients and
 * the API's rate limits never refuse a scrape: GET /metrics (Prometheus text), GET /health.
 */
export class MetricsServer {
  readonly #server: Server;
  readonly #options: MetricsServerOptions;

  constructor(registry: Registry, health: () => HealthReport, options: MetricsServerOptions) {
    this.#options = options;
    this.#server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === '/metrics') {
        registry.metrics().then(
          (text) => {
            res.writeHead(200, { 'content-type': registry.contentType });
            res.end(text);
          },
          (error: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`metrics failed: ${error instanceof Error ? error.message : String(error)}\n`);
          },
        );
      } else if (req.method === 'GET' && path === '/health') {
        const report = health();
        res.writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify(report));
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('GET /metrics or /health\n');
      }
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.off('error', reject);
        const address = this.#server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
