import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium, headless, with nothing of its own talking to the network (see scripts/ensure-chromium.ts). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Records every request the page makes (documents, scripts, styles, fetches, WebSockets) whose host
 * is not `allowedHost`, and aborts it, so a page that reaches for another host fails its test
 * rather than quietly loading a font or a script from a CDN.
 */
export async function recordForeignRequests(page: Page, allowedHost: string): Promise<string[]> {
  const foreign: string[] = [];
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'data:' || url.protocol === 'blob:' || url.host === allowedHost)
      return route.continue();
    foreign.push(route.request().url());
    return route.abort();
  });
  page.on('websocket', (ws) => {
    if (new URL(ws.url()).host !== allowedHost) foreign.push(ws.url());
  });
  return foreign;
}

/** Browser-side errors, so a test can show what broke in the page. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}
