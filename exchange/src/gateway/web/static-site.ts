import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html;charset=UTF-8',
  '.js': 'text/javascript;charset=UTF-8',
  '.css': 'text/css;charset=UTF-8',
  '.json': 'application/json;charset=UTF-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain;charset=UTF-8',
};

interface SiteFile {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string | number>>;
}

export interface StaticSiteOptions {
  /** The built pages (web/dist). */
  readonly root: string;
  /** URL path → file under root, for pages served at a path of their own: { '/': 'index.html' }. */
  readonly pages: Readonly<Record<string, string>>;
  /** Also serve everything under these folders of root at the same path ('assets' → /assets/...). */
  readonly folders: readonly string[];
  /** Served as /config.json: where the page finds the API. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Origins the page may connect to besides its own (the API's, when it is elsewhere). @default none */
  readonly connectOrigins?: readonly string[];
}

/**
 * The built web pages, read into memory at start: a few hundred kilobytes, served without touching
 * the disk, and only files that were there at start can be served (no path from a request ever
 * reaches the file system). Hashed assets are cached for good; pages are revalidated.
 */
export class StaticSite {
  readonly #files = new Map<string, SiteFile>();

  private constructor(options: StaticSiteOptions) {
    const connect = ["'self'", ...(options.connectOrigins ?? [])].join(' ');
    // The page loads nothing from another host: scripts, styles, images and fonts from this origin only.
    const policy = `default-src 'self'; connect-src ${connect}; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;
    for (const [path, file] of Object.entries(options.pages)) {
      this.#files.set(path, {
        body: readFileSync(join(options.root, file)),
        headers: {
          'content-type': CONTENT_TYPES['.html']!,
          'cache-control': 'no-cache',
          'content-security-policy': policy,
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
        },
      });
    }
    for (const folder of options.folders) {
      for (const file of walk(join(options.root, folder))) {
        const path = `/${relative(options.root, file).split(sep).join('/')}`;
        this.#files.set(path, {
          body: readFileSync(file),
          headers: {
            'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
            // Vite names every asset after its content's hash.
            'cache-control': 'public, max-age=31536000, immutable',
            'x-content-type-options': 'nosniff',
          },
        });
      }
    }
    this.#files.set('/config.json', {
      body: Buffer.from(JSON.stringify(options.config)),
      headers: { 'content-type': CONTENT_TYPES['.json']!, 'cache-control': 'no-cache' },
    });
  }

  /** The site, or undefined when `root` holds no build (the caller says how to build it). */
  static load(options: StaticSiteOptions): StaticSite | undefined {
    for (const file of Object.values(options.pages)) {
      if (!isFile(join(options.root, file))) return undefined;
    }
    return new StaticSite(options);
  }

  has(path: string): boolean {
    return this.#files.has(path);
  }

  /** Answers GET or HEAD for a path the site holds; false (nothing written) for any other. */
  serve(method: string | undefined, path: string, res: ServerResponse): boolean {
    if (method !== 'GET' && method !== 'HEAD') return false;
    const file = this.#files.get(path);
    if (file === undefined) return false;
    res.writeHead(200, { ...file.headers, 'content-length': file.body.length });
    res.end(method === 'HEAD' ? undefined : file.body);
    return true;
  }
}

function walk(folder: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(folder);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
