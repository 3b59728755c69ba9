import { byId, fill } from '../lib/dom.ts';
import type { RestClient } from '../lib/rest-client.ts';
import { type Credentials, credentialsFor } from '../lib/signing.ts';

/**
 * Sign-in with an API key and its secret (an HMAC secret, or an Ed25519 private key as PEM). The
 * secret is turned into a non-extractable WebCrypto key at once and the field is cleared; it is
 * kept in this tab's memory only, and a reload or closing the tab signs out. A signed
 * `GET /api/v3/account` proves the pair before the page says it is signed in.
 */
export class SignIn {
  readonly #rest: RestClient;
  readonly #changed: (credentials: Credentials | undefined) => void;
  #credentials: Credentials | undefined;

  constructor(rest: RestClient, changed: (credentials: Credentials | undefined) => void) {
    this.#rest = rest;
    this.#changed = changed;
    const form = byId<HTMLFormElement>('sign-in');
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#signIn(form);
    });
    byId('sign-out').addEventListener('click', () => this.#set(undefined));
  }

  get credentials(): Credentials | undefined {
    return this.#credentials;
  }

  async #signIn(form: HTMLFormElement): Promise<void> {
    const apiKey = (form.elements.namedItem('apiKey') as HTMLInputElement).value.trim();
    const secretField = form.elements.namedItem('secret') as HTMLInputElement | HTMLTextAreaElement;
    const secret = secretField.value.trim();
    const status = byId('sign-in-status');
    if (apiKey === '' || secret === '') {
      fill(status, 'Enter an API key and its secret.');
      return;
    }
    fill(status, 'Checking…');
    try {
      const credentials = await credentialsFor(apiKey, secret);
      await this.#rest.signed('GET', '/api/v3/account', { omitZeroBalances: true }, credentials);
      secretField.value = '';
      fill(status, '');
      this.#set(credentials);
    } catch (error) {
      fill(status, (error as Error).message);
    }
  }

  #set(credentials: Credentials | undefined): void {
    this.#credentials = credentials;
    byId('sign-in').hidden = credentials !== undefined;
    byId('signed-in').hidden = credentials === undefined;
    fill(
      byId('signed-in-key'),
      credentials === undefined ? '' : `${credentials.apiKey.slice(0, 8)}… (${credentials.kind})`,
    );
    this.#changed(credentials);
  }
}
