import '../styles/console.css';
import { byId, fill, formatTime, h } from '../lib/dom.ts';
import { AdminClient } from './admin-client.ts';

interface User {
  readonly userId: number;
  readonly name: string;
  readonly createdTs: number;
  readonly apiKeys: readonly { apiKey: string; keyType: string; permissions: readonly string[] }[];
}
interface Market {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly status: string;
}
interface Withdrawal {
  readonly withdrawalId: string;
  readonly userId: number;
  readonly asset: string;
  readonly amount: string;
  state: 'pending' | 'completed' | 'failed';
}

/**
 * The operator console, served by the admin port. The token is typed in and kept in this tab's memory
 * only (a reload locks the console again); every action goes through the admin API, the same one the
 * CLI uses.
 */
let admin: AdminClient | undefined;
let shownUser: number | undefined;
const withdrawals: Withdrawal[] = [];

function say(text: string, kind: 'ok' | 'error'): void {
  const item = h('li', { class: kind }, text);
  byId('messages').prepend(item);
  setTimeout(() => item.remove(), kind === 'error' ? 10_000 : 4_000);
}

async function act(what: () => Promise<unknown>, done?: string): Promise<void> {
  try {
    await what();
    if (done !== undefined) say(done, 'ok');
  } catch (error) {
    say((error as Error).message, 'error');
  }
}

function formValues(form: HTMLFormElement): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of new FormData(form)) values[name] = String(value).trim();
  return values;
}

async function loadUsers(): Promise<void> {
  const users = await admin!.get<User[]>('/admin/users');
  fill(
    byId('users'),
    ...users.map((u) =>
      h(
        'tr',
        { 'data-user-id': u.userId },
        h('td', { class: 'num' }, u.userId),
        h('td', {}, u.name, h('div', { class: 'muted small' }, formatTime(u.createdTs))),
        h(
          'td',
          {},
          ...u.apiKeys.map((k) =>
            h(
              'div',
              { class: 'small' },
              `${k.apiKey.slice(0, 10)}… ${k.keyType} [${k.permissions.join(', ')}] `,
              h(
                'button',
                {
                  type: 'button',
                  class: 'link',
                  onclick: () =>
                    void act(async () => {
                      const trade = !k.permissions.includes('TRADE');
                      await admin!.put(`/admin/api-keys/${k.apiKey}`, {
                        permissions: trade ? ['READ', 'TRADE'] : ['READ'],
                      });
                      await loadUsers();
                    }, 'Permissions changed'),
                },
                k.permissions.includes('TRADE') ? 'Read only' : 'Allow trading',
              ),
              ' ',
              h(
                'button',
                {
                  type: 'button',
                  class: 'link',
                  onclick: () =>
                    void act(async () => {
                      await admin!.delete(`/admin/api-keys/${k.apiKey}`);
                      await loadUsers();
                    }, 'Key revoked'),
                },
                'Revoke',
              ),
            ),
          ),
        ),
        h(
          'td',
          {},
          h(
            'button',
            { type: 'button', class: 'link', onclick: () => void act(() => showBalances(u.userId)) },
            'Balances',
          ),
        ),
      ),
    ),
  );
}

async function showBalances(userId: number): Promise<void> {
  shownUser = userId;
  const balances = await admin!.get<{ asset: string; free: string; locked: string }[]>(
    `/admin/users/${userId}/balances`,
  );
  fill(byId('balances-user'), `of user ${userId}`);
  fill(
    byId('balances'),
    ...balances.map((b) =>
      h(
        'tr',
        { 'data-asset': b.asset },
        h('td', {}, b.asset),
        h('td', { class: 'num' }, b.free),
        h('td', { class: 'num muted' }, b.locked),
      ),
    ),
  );
}

async function loadMarkets(): Promise<void> {
  const markets = await admin!.get<Market[]>('/admin/markets');
  const assets = new Set(markets.flatMap((m) => [m.base, m.quote]));
  fill(byId('assets'), ...[...assets].sort().map((a) => h('option', { value: a })));
  fill(
    byId('markets'),
    ...markets.map((m) => {
      const halted = m.status !== 'TRADING';
      const action = halted ? 'resume' : 'halt';
      return h(
        'tr',
        { 'data-symbol': m.symbol },
        h('td', {}, m.symbol),
        h('td', {}, m.base),
        h('td', {}, m.quote),
        h('td', { class: halted ? 'down' : 'up' }, m.status),
        h(
          'td',
          {},
          h(
            'button',
            {
              type: 'button',
              onclick: () =>
                void act(
                  async () => {
                    await admin!.post(`/admin/markets/${m.symbol}/${action}`);
                    await loadMarkets();
                  },
                  `${m.symbol}: ${action === 'halt' ? 'halted' : 'resumed'}`,
                ),
            },
            halted ? 'Resume' : 'Halt',
          ),
        ),
      );
    }),
  );
}

function drawWithdrawals(): void {
  fill(
    byId('withdrawals'),
    ...withdrawals.map((w) =>
      h(
        'tr',
        { 'data-withdrawal-id': w.withdrawalId },
        h('td', { class: 'small' }, w.withdrawalId),
        h('td', {}, w.userId),
        h('td', { class: 'num' }, `${w.amount} ${w.asset}`),
        h('td', {}, w.state),
        h(
          'td',
          {},
          w.state === 'pending'
            ? h(
                'button',
                { type: 'button', class: 'link', onclick: () => void settle(w.withdrawalId, 'complete') },
                'Complete',
              )
            : undefined,
          w.state === 'pending'
            ? h(
                'button',
                { type: 'button', class: 'link', onclick: () => void settle(w.withdrawalId, 'fail') },
                'Fail',
              )
            : undefined,
        ),
      ),
    ),
  );
}

async function settle(withdrawalId: string, outcome: 'complete' | 'fail'): Promise<void> {
  await act(
    async () => {
      await admin!.post(`/admin/withdrawals/${encodeURIComponent(withdrawalId)}/${outcome}`);
      const known = withdrawals.find((w) => w.withdrawalId === withdrawalId);
      if (known !== undefined) known.state = outcome === 'complete' ? 'completed' : 'failed';
      drawWithdrawals();
      if (shownUser !== undefined) await showBalances(shownUser);
    },
    `Withdrawal ${withdrawalId}: ${outcome === 'complete' ? 'completed' : 'failed'}`,
  );
}

function onSubmit(
  id: string,
  handle: (values: Record<string, string>, form: HTMLFormElement, submitter: string) => Promise<void>,
) {
  const form = byId<HTMLFormElement>(id);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const submitter = ((event as SubmitEvent).submitter as HTMLButtonElement | null)?.value ?? '';
    void handle(formValues(form), form, submitter);
  });
}

onSubmit('token-form', async (values, form) => {
  const candidate = new AdminClient(values.token ?? '');
  try {
    await candidate.get('/admin/markets');
  } catch (error) {
    say((error as Error).message, 'error');
    return;
  }
  admin = candidate;
  form.reset();
  form.hidden = true;
  byId('lock').hidden = false;
  byId('console').hidden = false;
  await act(async () => {
    await Promise.all([loadUsers(), loadMarkets()]);
  });
  document.body.dataset.ready = 'true';
});

byId('lock').addEventListener('click', () => location.reload());

onSubmit('create-user', (values, form) =>
  act(async () => {
    const created = await admin!.post<{ userId: number; apiKey: string; secretKey?: string }>(
      '/admin/users',
      {
        name: values.name,
      },
    );
    fill(
      byId('new-key'),
      `User ${created.userId}: API key ${created.apiKey}`,
      created.secretKey === undefined ? '' : `, secret ${created.secretKey} (shown once)`,
    );
    form.reset();
    await loadUsers();
  }),
);

onSubmit('deposit', (values) =>
  act(async () => {
    await admin!.post('/admin/deposits', {
      userId: Number(values.userId),
      asset: values.asset,
      amount: values.amount,
    });
    await showBalances(Number(values.userId));
  }, `Deposit credited: ${values.amount} ${values.asset} to user ${values.userId}`),
);

onSubmit('withdraw', (values) =>
  act(async () => {
    const { withdrawalId } = await admin!.post<{ withdrawalId: string }>('/admin/withdrawals', {
      userId: Number(values.userId),
      asset: values.asset,
      amount: values.amount,
    });
    withdrawals.unshift({
      withdrawalId,
      userId: Number(values.userId),
      asset: values.asset ?? '',
      amount: values.amount ?? '',
      state: 'pending',
    });
    drawWithdrawals();
    await showBalances(Number(values.userId));
  }, 'Withdrawal requested'),
);

onSubmit('settle', (values, _form, outcome) =>
  settle(values.withdrawalId ?? '', outcome === 'fail' ? 'fail' : 'complete'),
);

onSubmit('create-key', (values) =>
  act(async () => {
    const key = await admin!.post<{ apiKey: string; secretKey?: string }>(
      `/admin/users/${values.userId}/api-keys`,
      {
        permissions: values.TRADE === 'on' ? ['READ', 'TRADE'] : ['READ'],
      },
    );
    fill(
      byId('new-key'),
      `API key ${key.apiKey}`,
      key.secretKey === undefined ? '' : `, secret ${key.secretKey} (shown once)`,
    );
    await loadUsers();
  }),
);
