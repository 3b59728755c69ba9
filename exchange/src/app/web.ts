/**
 * The `web` service of the cloud stack: serves the trading page and nothing else. The load balancer
 * sends /api/* and /ws/* to the gateways and everything else here, so the page reaches the API on
 * its own origin unless BOURSE_API_ORIGIN names another.
 */
import { createServer } from 'node:http';
import pino from 'pino';
import { DEFAULT_WEB_ROOT, tradingPage } from './web-pages.ts';

export interface WebServiceOptions {
  readonly host: string;
  /** @default 8084, the port the service definition declares */
  readonly port: number;
  readonly webRoot: string;
  /** The API's origin for the page ("" = the page's own). */
  readonly apiOrigin: string;
}

export interface RunningWebService {
  readonly port: number;
  close(): Promise<void>;
}

export async function startWebService(
  options: WebServiceOptions,
  logger: pino.Logger,
): Promise<RunningWebService> {
  const site = tradingPage(options.webRoot, logger, options.apiOrigin);
  if (site === undefined) throw new Error(`no built pages in ${options.webRoot}: run \`npm run build:web\``);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/healthz' || path === '/health' || path === '/ready') {
      const body = JSON.stringify({ status: 'ok', service: 'web' });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (site.serve(req.method, path, res)) return;
    const body = JSON.stringify({ code: -1000, msg: 'Not found.' });
    res.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  logger.info({ port }, 'web listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

if (import.meta.main) {
  const logger = pino({ base: { service: 'web' }, level: process.env.BOURSE_LOG_LEVEL ?? 'info' });
  const port = Number(process.env.BOURSE_WEB_PORT ?? 8084);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    logger.fatal({ BOURSE_WEB_PORT: process.env.BOURSE_WEB_PORT }, 'BOURSE_WEB_PORT must be a port number');
    process.exit(2);
  }
  const running = await startWebService(
    {
      host: process.env.BOURSE_HOST ?? '0.0.0.0',
      port,
      webRoot: process.env.BOURSE_WEB_ROOT ?? DEFAULT_WEB_ROOT,
      apiOrigin: process.env.BOURSE_API_ORIGIN ?? '',
    },
    logger,
  );
  const stop = (signal: string) => {
    logger.info({ signal }, 'stopping');
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
