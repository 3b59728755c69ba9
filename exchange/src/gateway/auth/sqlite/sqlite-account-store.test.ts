import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SecretBox } from '../secret-box.ts';
import { SqliteAccountStore } from './sqlite-account-store.ts';

/** The schema of the releases before Ed25519 keys: no key_type, no public_key. */
const OLD_SCHEMA = `
CREATE TABLE users (user_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_ts INTEGER NOT NULL) STRICT;
CREATE TABLE api_keys (
  api_key TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(user_id),
  permissions TEXT NOT NULL,
  secret_iv BLOB NOT NULL,
  secret_ct BLOB NOT NULL,
  secret_tag BLOB NOT NULL,
  created_ts INTEGER NOT NULL
) STRICT;
`;

const hmac = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest('hex');

describe('SqliteAccountStore', () => {
  let dir: string;
  let path: string;
  let box: SecretBox;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bourse-accounts-'));
    path = join(dir, 'accounts.db');
    box = new SecretBox(randomBytes(32));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens a database from before Ed25519 keys: its keys stay HMAC keys and still verify', () => {
    const old = new DatabaseSync(path);
    old.exec(OLD_SCHEMA);
    old.prepare('INSERT INTO users (name, created_ts) VALUES (?, ?)').run('old', 1);
    const sealed = box.seal('old-secret', 'OLDKEY');
    old
      .prepare('INSERT INTO api_keys VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run('OLDKEY', 1, 'READ,TRADE', sealed.iv, sealed.ciphertext, sealed.tag, 1);
    old.close();

    const store = SqliteAccountStore.open(path, box);
    assert.equal(store.identify('OLDKEY')?.keyType, 'HMAC');
    assert.equal(store.verifySignature('OLDKEY', 'a=1', hmac('old-secret', 'a=1')), true);
    assert.deepEqual(store.users()[0]?.apiKeys, [
      { apiKey: 'OLDKEY', keyType: 'HMAC', permissions: ['READ', 'TRADE'] },
    ]);
    const { publicKey } = generateKeyPairSync('ed25519');
    const added = store.registerEd25519Key(
      1,
      ['READ'],
      publicKey.export({ type: 'spki', format: 'pem' }) as string,
      2,
    );
    store.close();

    const reopened = SqliteAccountStore.open(path, box);
    assert.equal(reopened.identify('OLDKEY')?.keyType, 'HMAC');
    assert.equal(reopened.identify(added.apiKey)?.keyType, 'ED25519');
    reopened.close();
  });

  it('registers an Ed25519 public key and verifies base64 signatures with it, across a restart', () => {
    const store = SqliteAccountStore.open(path, box);
    const userId = store.createUser('ed', 1);
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const key = store.registerEd25519Key(userId, ['READ', 'TRADE', 'READ'], pem, 2);
    assert.deepEqual(key, { userId, apiKey: key.apiKey, keyType: 'ED25519', permissions: ['READ', 'TRADE'] });
    store.close();

    const reopened = SqliteAccountStore.open(path, box);
    const payload = 'symbol=BTCUSDT&timestamp=1';
    const signature = sign(null, Buffer.from(payload), privateKey).toString('base64');
    assert.equal(reopened.verifySignature(key.apiKey, payload, signature), true);
    assert.equal(reopened.verifySignature(key.apiKey, `${payload}0`, signature), false);
    // A '+' that form decoding turned into a space still verifies; nothing else is loosened.
    assert.equal(reopened.verifySignature(key.apiKey, payload, signature.replaceAll('+', ' ')), true);
    assert.equal(reopened.verifySignature(key.apiKey, payload, signature.replace(/==$/, '')), true);
    assert.equal(reopened.verifySignature(key.apiKey, payload, hmac('x', payload)), false);
    assert.equal(reopened.verifySignature(key.apiKey, payload, 'not base64!'), false);
    const other = generateKeyPairSync('ed25519').privateKey;
    assert.equal(
      reopened.verifySignature(
        key.apiKey,
        payload,
        sign(null, Buffer.from(payload), other).toString('base64'),
      ),
      false,
    );
    reopened.close();
  });

  it('an HMAC key refuses an Ed25519 signature, and the reverse', () => {
    const store = SqliteAccountStore.open(path, box);
    const userId = store.createUser('both', 1);
    const h = store.createApiKey(userId, ['READ'], 1);
    assert.equal(h.keyType, 'HMAC');
    const { privateKey } = generateKeyPairSync('ed25519');
    const edSignature = sign(null, Buffer.from('a=1'), privateKey).toString('base64');
    assert.equal(store.verifySignature(h.apiKey, 'a=1', edSignature), false);
    assert.equal(store.verifySignature(h.apiKey, 'a=1', hmac(h.secretKey, 'a=1')), true);
    store.close();
  });

  it('fails if the public key is not an Ed25519 PEM public key', () => {
    const store = SqliteAccountStore.open(path, box);
    const userId = store.createUser('bad', 1);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    assert.throws(
      () =>
        store.registerEd25519Key(userId, ['READ'], rsa.export({ type: 'spki', format: 'pem' }) as string, 1),
      /is rsa: Bourse takes Ed25519 keys/,
    );
    assert.throws(() => store.registerEd25519Key(userId, ['READ'], 'ssh-ed25519 AAAA', 1), /PEM \(SPKI\)/);
    assert.throws(
      () =>
        store.registerEd25519Key(
          userId,
          ['READ'],
          '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----',
          1,
        ),
      /not valid PEM/,
    );
    const { publicKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    assert.throws(() => store.registerEd25519Key(99, ['READ'], pem, 1), /user 99 does not exist/);
    assert.deepEqual(store.users()[0]?.apiKeys, []);
    store.close();
  });

  it('creates a user with its first key in one transaction: a refused key or permission leaves no user', () => {
    const store = SqliteAccountStore.open(path, box);
    assert.throws(() => store.createUserWithKey('carol', ['READ'], 'ssh-ed25519 AAAA', 1), /PEM \(SPKI\)/);
    assert.throws(
      () => store.createUserWithKey('carol', ['READ', 'WITHDRAW' as 'READ'], undefined, 1),
      /permission "WITHDRAW" is invalid/,
    );
    assert.equal(store.userByName('carol'), undefined);
    assert.deepEqual(store.users(), []);

    const hmacKey = store.createUserWithKey('carol', ['READ', 'TRADE'], undefined, 2);
    assert.equal(hmacKey.keyType, 'HMAC');
    const { publicKey } = generateKeyPairSync('ed25519');
    const edKey = store.createUserWithKey(
      'dan',
      ['READ'],
      publicKey.export({ type: 'spki', format: 'pem' }) as string,
      3,
    );
    assert.equal(edKey.keyType, 'ED25519');
    assert.deepEqual(
      store.users().map((u) => [u.name, u.apiKeys.map((k) => k.keyType)]),
      [
        ['carol', ['HMAC']],
        ['dan', ['ED25519']],
      ],
    );
    assert.equal(store.identify(hmacKey.apiKey)?.userId, store.userByName('carol'));
    store.close();
  });
});
