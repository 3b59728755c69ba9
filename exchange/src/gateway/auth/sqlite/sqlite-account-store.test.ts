import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
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

  it('opens a database from before Ed25519 keys: its keys stay HMAC keys and still verify', async () => {
    const old = new DatabaseSync(path);
    old.exec(OLD_SCHEMA);
    old.prepare('INSERT INTO users (name, created_ts) VALUES (?, ?)').run('old', 1);
    const sealed = box.seal('old-secret', 'OLDKEY');
    old
      .prepare('INSERT INTO api_keys VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run('OLDKEY', 1, 'READ,TRADE', sealed.iv, sealed.ciphertext, sealed.tag, 1);
    old.close();

    const store = await SqliteAccountStore.open(path, box);
    assert.equal((await store.identify('OLDKEY'))?.keyType, 'HMAC');
    assert.equal(await store.verifySignature('OLDKEY', 'a=1', hmac('old-secret', 'a=1')), true);
    assert.deepEqual((await store.users())[0]?.apiKeys, [
      { apiKey: 'OLDKEY', keyType: 'HMAC', permissions: ['READ', 'TRADE'] },
    ]);
    const { publicKey } = generateKeyPairSync('ed25519');
    const added = await store.registerEd25519Key(
      1,
      ['READ'],
      publicKey.export({ type: 'spki', format: 'pem' }) as string,
      2,
    );
    await store.close();

    const reopened = await SqliteAccountStore.open(path, box);
    assert.equal((await reopened.identify('OLDKEY'))?.keyType, 'HMAC');
    assert.equal((await reopened.identify(added.apiKey))?.keyType, 'ED25519');
    await reopened.close();
  });
});
