import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSnapshotStore } from '../../src/journal/snapshots/file/file-snapshot-store.ts';
import { snapshotContract } from './snapshot-contract.ts';

snapshotContract('file snapshot store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bourse-snapshot-contract-'));
  return {
    open: () => FileSnapshotStore.open(dir),
    close: async () => {},
    destroy: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
