import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import type { AccountStore, ApiKeyChange } from '../../src/gateway/auth/account-store.ts';
import { ApiKeyCache } from '../../src/gateway/auth/api-key-cache.ts';
import { SecretBox } from '../../src/gateway/auth/secret-box.ts';

/** One durable database: every `open` sees what the others wrote, as two processes would. */
export interface AccountDatabase {
  /** A store on the database; `changePollMs` 0 leaves polling to the test (`pollChanges`). */
  open(box: SecretBox): Promise<AccountStore & { pollChanges(): Promise<void> }>;
  /** Everything the database holds, as text and bytes, to search for a secret in. */
  storedText(): Promise<string>;
  destroy(): Promise<void>;
}

export interface AccountDatabaseFactory {
  create(): Promise<AccountDatabase>;
}

const hmac = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest('hex');
const ed25519Pem = () => {
  const pair = generateKeyPairSync('ed25519');
  return { ...pair, pem: pair.publicKey.export({ type: 'spki', format: 'pem' }) as string };
};

/** The account store's contract: every adapter (SQLite, MariaDB) runs it unchanged. */
export function accountStoreContract(name: string, factory: AccountDatabaseFactory): void {
  async function withDatabase(body: (db: AccountDatabase, box: SecretBox) => Promise<void>): Promise<void> {
    const db = await factory.create();
    try {
      await body(db, new SecretBox(randomBytes(32)));
    } finally {
      await db.destroy();
    }
  }

  describe(`account store contract: ${name}`, () => {
    it('creates users with ids from 1, refusing a malformed or taken name', () =>
      withDatabase(async (db, box) => {
        const store = await db.open(box);
        try {
          assert.equal(await store.createUser('alice', 10), 1);
          assert.equal(await store.createUser('bob.b-2_', 11), 2);
          await assert.rejects(store.createUser('alice', 12), /user name "alice" is taken/);
          await assert.rejects(store.createUser('no spaces', 12), /user name "no spaces" is invalid/);
          await assert.rejects(store.createUser('', 12), RangeError);
          assert.equal(await store.userByName('bob.b-2_'), 2);
          assert.equal(await store.userByName('carol'), undefined);
          assert.equal(await store.hasUser(1), true);
          assert.equal(await store.hasUser(3), false);
          assert.deepEqual(await store.users(), [
            { userId: 1, name: 'alice', createdTs: 10, apiKeys: [] },
            { userId: 2, name: 'bob.b-2_', createdTs: 11, apiKeys: [] },
          ]);
        } finally {
          await store.close();
        }
      }));

    it('keeps HMAC secrets sealed at rest and verifies with them after a reopen, not with another master key', () =>
      withDatabase(async (db, box) => {
        const store = await db.open(box);
        const userId = await store.createUser('alice', 1);
        const key = await store.createApiKey(userId, ['READ', 'TRADE', 'READ'], 2);
        assert.deepEqual(key.permissions, ['READ', 'TRADE']);
        assert.match(key.secretKey, /^[A-Za-z0-9]{64}$/);
        await store.close();

        const text = await db.storedText();
        assert.ok(text.includes(key.apiKey), 'the dump holds the key rows');
        assert.ok(!text.includes(key.secretKey), 'the secret is not stored in the clear');

        const reopened = await db.open(box);
        try {
          assert.deepEqual(await reopened.identify(key.apiKey), {
            apiKey: key.apiKey,
            userId,
            permissions: ['READ', 'TRADE'],
            keyType: 'HMAC',
          });
          assert.equal(await reopened.verifySignature(key.apiKey, 'a=1', hmac(key.secretKey, 'a=1')), true);
          assert.equal(await reopened.verifySignature(key.apiKey, 'a=2', hmac(key.secretKey, 'a=1')), false);
          assert.equal(await reopened.verifySignature('nope', 'a=1', hmac(key.secretKey, 'a=1')), false);
        } finally {
          await reopened.close();
        }
        await assert.rejects(db.open(new SecretBox(randomBytes(32))), /unable to authenticate|auth/i);
      }));

    it('registers an Ed25519 public key and verifies base64 signatures with it', () =>
      withDatabase(async (db, box) => {
        const store = await db.open(box);
        try {
          const userId = await store.createUser('ed', 1);
          const { pem, privateKey } = ed25519Pem();
          const key = await store.registerEd25519Key(userId, ['READ'], pem, 2);
          assert.deepEqual(key, { userId, apiKey: key.apiKey, keyType: 'ED25519', permissions: ['READ'] });
          const payload = 'symbol=BTCUSDT&timestamp=1';
          const signature = sign(null, Buffer.from(payload), privateKey).toString('base64');
          assert.equal(await store.verifySignature(key.apiKey, payload, signature), true);
          assert.equal(await store.verifySignature(key.apiKey, `${payload}0`, signature), false);
          assert.equal(await store.verifySignature(key.apiKey, payload, hmac('x', payload)), false);
          const h = await store.createApiKey(userId, ['READ'], 3);
          assert.equal(await store.verifySignature(h.apiKey, payload, signature), false);
          await assert.rejects(
            store.registerEd25519Key(userId, ['READ'], 'ssh-ed25519 AAAA', 1),
            /PEM \(SPKI\)/,
          );
          await assert.rejects(store.registerEd25519Key(99, ['READ'], pem, 1), /user 99 does not exist/);
          assert.deepEqual(
            (await store.users())[0]?.apiKeys.map((k) => k.keyType),
            ['ED25519', 'HMAC'],
          );
        } finally {
          await store.close();
        }
      }));

    it('creates a user with its first key in one transaction: a refused key or permission leaves no user', () =>
      withDatabase(async (db, box) => {
        const store = await db.open(box);
        try {
          await assert.rejects(
            store.createUserWithKey('carol', ['READ'], 'ssh-ed25519 AAAA', 1),
            /PEM \(SPKI\)/,
          );
          await assert.rejects(
            store.createUserWithKey('carol', ['READ', 'WITHDRAW' as 'READ'], undefined, 1),
            /permission "WITHDRAW" is invalid/,
          );
          assert.equal(await store.userByName('carol'), undefined);
          assert.deepEqual(await store.users(), []);
          const hmacKey = await store.createUserWithKey('carol', ['READ', 'TRADE'], undefined, 2);
          const edKey = await store.createUserWithKey('dan', ['READ'], ed25519Pem().pem, 3);
          assert.deepEqual(
            (await store.users()).map((u) => [u.name, u.apiKeys.map((k) => k.keyType)]),
            [
              ['carol', ['HMAC']],
              ['dan', ['ED25519']],
            ],
          );
          assert.equal((await store.identify(hmacKey.apiKey))?.userId, await store.userByName('carol'));
          assert.equal((await store.identify(edKey.apiKey))?.keyType, 'ED25519');
        } finally {
          await store.close();
        }
      }));

    it('changes permissions and revokes keys, refusing an unknown key or permission', () =>
      withDatabase(async (db, box) => {
        const store = await db.open(box);
        try {
          const userId = await store.createUser('alice', 1);
          const key = await store.createApiKey(userId, ['READ', 'TRADE'], 2);
          assert.deepEqual(await store.setApiKeyPermissions(key.apiKey, ['READ']), ['READ']);
          assert.deepEqual((await store.identify(key.apiKey))?.permissions, ['READ']);
          await assert.rejects(store.setApiKeyPermissions('nope', ['READ']), /API key nope does not exist/);
          await assert.rejects(store.setApiKeyPermissions(key.apiKey, ['X' as 'READ']), /permission "X"/);
          assert.equal(await store.revokeApiKey(key.apiKey), true);
          assert.equal(await store.revokeApiKey(key.apiKey), false);
          assert.equal(await store.identify(key.apiKey), undefined);
          assert.equal(await store.verifySignature(key.apiKey, 'a=1', hmac(key.secretKey, 'a=1')), false);
        } finally {
          await store.close();
        }
      }));

    it("keeps a cache fresh: this store's changes at once, another process's at its next poll", () =>
      withDatabase(async (db, box) => {
        const here = await db.open(box);
        const there = await db.open(box);
        try {
          const userId = await here.createUser('alice', 1);
          const before = await here.createApiKey(userId, ['READ', 'TRADE'], 2);
          const cache = await ApiKeyCache.load(here);
          const seen: ApiKeyChange[] = [];
          const stop = here.onKeyChange((c) => seen.push(c));
          assert.equal(cache.verifySignature(before.apiKey, 'a=1', hmac(before.secretKey, 'a=1')), true);

          // Through the same store: in the cache before the call resolves.
          const mine = await here.createApiKey(userId, ['READ'], 3);
          assert.equal(cache.identify(mine.apiKey)?.userId, userId);
          assert.equal(cache.verifySignature(mine.apiKey, 'b=2', hmac(mine.secretKey, 'b=2')), true);
          await here.setApiKeyPermissions(mine.apiKey, ['READ', 'TRADE']);
          assert.deepEqual(cache.identify(mine.apiKey)?.permissions, ['READ', 'TRADE']);
          await here.revokeApiKey(mine.apiKey);
          assert.equal(cache.identify(mine.apiKey), undefined);
          assert.equal(cache.verifySignature(mine.apiKey, 'b=2', hmac(mine.secretKey, 'b=2')), false);
          assert.deepEqual(
            seen.splice(0).map((c) => [c.apiKey, c.entry?.identity.permissions]),
            [
              [mine.apiKey, ['READ']],
              [mine.apiKey, ['READ', 'TRADE']],
              [mine.apiKey, undefined],
            ],
          );

          // Through another store on the same database: seen once this store reads the change log.
          const theirs = await there.createApiKey(userId, ['READ'], 4);
          await there.revokeApiKey(before.apiKey);
          assert.equal(cache.identify(theirs.apiKey), undefined, 'not before the poll');
          await here.pollChanges();
          assert.equal(cache.verifySignature(theirs.apiKey, 'c=3', hmac(theirs.secretKey, 'c=3')), true);
          assert.equal(cache.identify(before.apiKey), undefined);
          assert.equal(cache.size, 1);
          stop();
          // A poll tells each key's state now; it may repeat a change this store already told.
          const told = new Map(seen.map((c) => [c.apiKey, c.entry?.identity.permissions]));
          assert.deepEqual(told.get(theirs.apiKey), ['READ']);
          assert.ok(told.has(before.apiKey) && told.get(before.apiKey) === undefined);
          cache.close();
        } finally {
          await here.close();
          await there.close();
        }
      }));
  });
}
