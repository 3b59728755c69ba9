import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileJournal } from '../../src/journal/file/index.ts';
import { logContract } from './log-contract.ts';

// Small segments so that rolls, cross-segment reads and pruning are exercised by the shared suite.
logContract(
  'file journal',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bourse-log-contract-'));
    return {
      open: () => FileJournal.open({ dir, segmentBytes: 16 * 1024 }),
      destroy: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  { secondWriter: 'refused-while-first-holds' },
);

logContract(
  'file journal, default options',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bourse-log-contract-'));
    return {
      open: () => FileJournal.open({ dir }),
      destroy: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  { secondWriter: 'refused-while-first-holds' },
);
