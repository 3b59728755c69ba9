import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { StaticSite } from '../gateway/web/static-site.ts';

/** Where `npm run build:web` (and `npm start`, which runs it first) puts the pages. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../web/dist', import.meta.url));

const BUILD_HINT = 'run `npm run build:web` (npm start does it first)';

/** The trading page at /, talking to the API at `apiOrigin` ("" = the origin that served it). */
export function tradingPage(root: string, logger: Logger, apiOrigin = ''): StaticSite | undefined {
  const site = StaticSite.load({
    root,
    pages: { '/': 'index.html', '/index.html': 'index.html' },
    folders: ['assets'],
    config: { apiOrigin },
    connectOrigins: apiOrigin === '' ? [] : [apiOrigin, apiOrigin.replace(/^http/, 'ws')],
  });
  if (site === undefined) logger.warn({ webRoot: root }, `the trading page is not built: ${BUILD_HINT}`);
  return site;
}

/** The operator console, served by the admin port at /console. */
export function operatorConsole(root: string, logger: Logger): StaticSite | undefined {
  const site = StaticSite.load({
    root,
    pages: { '/console': 'console.html', '/console/': 'console.html' },
    folders: ['assets'],
    config: {},
  });
  if (site === undefined) logger.warn({ webRoot: root }, `the operator console is not built: ${BUILD_HINT}`);
  return site;
}
