import type { RestClient } from '../lib/rest-client.ts';
import type { Credentials } from '../lib/signing.ts';
import type { SymbolRules } from './symbol-rules.ts';

/** What every panel of the trading page shares: the API, the markets, the chosen one, who is signed in. */
export interface AppContext {
  readonly rest: RestClient;
  /** The API's origin: "" for the page's own. */
  readonly apiOrigin: string;
  readonly markets: ReadonlyMap<string, SymbolRules>;
  symbol(): SymbolRules;
  credentials(): Credentials | undefined;
  /** Shows an error (Binance's message) where the user sees it. */
  report(error: unknown): void;
  notice(message: string): void;
}

/** A panel that follows the chosen market and the signed-in user. */
export interface Panel {
  /** The chosen market changed (also called once at start). */
  selectMarket?(rules: SymbolRules): void;
  /** Someone signed in or out. */
  signedIn?(credentials: Credentials | undefined): void;
}
