import '../styles/trade.css';
import { byId, fill, h } from '../lib/dom.ts';
import { ReconnectingSocket, type SocketState, wsUrl } from '../lib/reconnecting-socket.ts';
import { ApiError, RestClient } from '../lib/rest-client.ts';
import type { Credentials } from '../lib/signing.ts';
import { AccountView } from './account-view.ts';
import type { AppContext, Panel } from './app-context.ts';
import { ChartView } from './chart-view.ts';
import { MarketList } from './market-list.ts';
import { OrderBookView } from './order-book-view.ts';
import { OrderForm } from './order-form.ts';
import { SignIn } from './sign-in.ts';
import { type ExchangeInfoSymbol, rulesOf, type SymbolRules } from './symbol-rules.ts';
import { TradesView } from './trades-view.ts';
import { UserStream } from './user-stream.ts';

/** Where the API is: the server that served the page says so in /config.json ("" = this origin). */
async function apiOrigin(): Promise<string> {
  const response = await fetch('/config.json');
  const config = (await response.json()) as { apiOrigin?: string };
  return config.apiOrigin ?? '';
}

function showState(id: string, label: string, state: SocketState | 'off'): void {
  const element = byId(id);
  element.dataset.state = state;
  fill(
    element,
    `${label}: ${state === 'open' ? 'live' : state === 'off' ? 'off' : state === 'connecting' ? 'connecting…' : 'offline, retrying'}`,
  );
}

function message(text: string, kind: 'error' | 'ok'): void {
  const list = byId('messages');
  const item = h('li', { class: kind }, text);
  list.prepend(item);
  setTimeout(() => item.remove(), kind === 'error' ? 10_000 : 4_000);
}

async function start(): Promise<void> {
  const origin = await apiOrigin();
  const rest = new RestClient(origin);
  const info = await rest.get<{ symbols: ExchangeInfoSymbol[] }>('/api/v3/exchangeInfo');
  const markets = new Map<string, SymbolRules>(info.symbols.map((s) => [s.symbol, rulesOf(s)]));
  const first = markets.values().next().value;
  if (first === undefined) throw new Error('the exchange lists no market');
  let selected: SymbolRules = markets.get(location.hash.slice(1).toUpperCase()) ?? first;
  let signIn: SignIn | undefined;

  const ctx: AppContext = {
    rest,
    apiOrigin: origin,
    markets,
    symbol: () => selected,
    credentials: () => signIn?.credentials,
    report: (error) => {
      console.error(error);
      const text = error instanceof ApiError ? `${error.message} (${error.code})` : (error as Error).message;
      message(text, 'error');
    },
    notice: (text) => message(text, 'ok'),
  };

  const list = new MarketList(ctx, (symbol) => {
    location.hash = symbol;
  });
  const book = new OrderBookView(ctx);
  const trades = new TradesView(ctx);
  const chart = new ChartView(ctx);
  const form = new OrderForm(ctx);
  const account = new AccountView(ctx);
  const panels: Panel[] = [book, trades, chart, form, account];
  book.onPick = (price) => form.setPrice(price);
  account.onBalances = (free) => form.balances(free);
  form.onPlaced = () => account.refresh();

  let market: ReconnectingSocket | undefined;
  const connectMarket = () => {
    market?.close();
    const s = selected.symbol.toLowerCase();
    const streams = ['!ticker@arr', `${s}@depth@100ms`, `${s}@trade`, `${s}@kline_${chart.interval}`];
    let wasOpen = false;
    market = new ReconnectingSocket(() => wsUrl(origin, `/stream?streams=${streams.join('/')}`), {
      onState: (state) => {
        showState('market-state', 'Market data', state);
        // Anything may have been missed while offline: load the book, trades and candles again.
        if (state === 'open' && wasOpen) {
          book.resync();
          trades.reload();
          chart.reload();
          account.refresh();
        }
        if (state === 'open') wasOpen = true;
      },
      onMessage: (raw) => {
        const { stream, data } = raw as { stream: string; data: never };
        if (stream === '!ticker@arr') for (const t of data as unknown[]) list.onTicker(t as never);
        else if (stream.includes('@depth')) book.onDiff(data);
        else if (stream.endsWith('@trade')) trades.onTrade(data);
        else if (stream.includes('@kline_')) chart.onKline(data);
      },
    });
  };
  chart.onInterval = () => connectMarket();

  const select = (rules: SymbolRules) => {
    selected = rules;
    document.title = `${rules.base}/${rules.quote} · Bourse`;
    fill(byId('pair'), `${rules.base}/${rules.quote}`);
    byId('halted').hidden = rules.trading;
    list.select(rules.symbol);
    connectMarket();
    for (const panel of panels) panel.selectMarket?.(rules);
  };

  let user: UserStream | undefined;
  signIn = new SignIn(rest, (credentials: Credentials | undefined) => {
    user?.close();
    user = undefined;
    for (const panel of panels) panel.signedIn?.(credentials);
    if (credentials === undefined) {
      showState('user-state', 'Account', 'off');
      return;
    }
    UserStream.open(
      rest,
      credentials,
      origin,
      (event) => {
        if (
          event.e === 'executionReport' ||
          event.e === 'outboundAccountPosition' ||
          event.e === 'reconnected'
        )
          account.refresh();
      },
      (state) => showState('user-state', 'Account', state),
    )
      .then((stream) => {
        user = stream;
      })
      .catch(ctx.report);
  });
  showState('user-state', 'Account', 'off');

  window.addEventListener('hashchange', () => {
    const rules = markets.get(location.hash.slice(1).toUpperCase());
    if (rules !== undefined && rules !== selected) select(rules);
  });
  await list.load().catch(ctx.report);
  select(selected);
  for (const panel of panels) panel.signedIn?.(undefined);
  // Tests and curious users can read what the page holds.
  Object.assign(window, { bourse: { book, chart, account } });
  document.body.dataset.ready = 'true';
}

start().catch((error: unknown) => {
  console.error(error);
  fill(
    byId('messages'),
    h('li', { class: 'error' }, `The page could not start: ${(error as Error).message}`),
  );
});
