import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';

/** The import rules of ARCHITECTURE.md, checked on every source file. */
const SRC = join(import.meta.dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm;

/** Each file's imports, as folders under src/ (e.g. "engine", "journal/file") or module names. */
const imports = sourceFiles(SRC).map((file) => {
  const text = readFileSync(file, 'utf8');
  const targets = [...text.matchAll(IMPORT)].map(([, spec]) =>
    spec!.startsWith('.') ? relative(SRC, join(file, '..', spec!)) : spec!,
  );
  return { file: relative(SRC, file), targets };
});

const ADAPTERS = [
  'journal/file',
  'journal/kafka',
  'journal/snapshots/file',
  'journal/snapshots/kafka',
  'storage/sqlite',
  'storage/mariadb',
  'gateway/auth/sqlite',
  'gateway/auth/mariadb',
  'cache/valkey',
];

/** The technology an adapter folder is named after: `journal/snapshots/kafka` -> `kafka`. */
const technology = (adapter: string): string => adapter.slice(adapter.lastIndexOf('/') + 1);

describe('import rules', () => {
  it('domain/ imports nothing outside domain/', () => {
    for (const { file, targets } of imports.filter((i) => i.file.startsWith('domain/'))) {
      for (const target of targets) assert.ok(target.startsWith('domain/'), `${file} imports ${target}`);
    }
  });

  it('engine/ imports only domain/ and itself, and no node:* module (no I/O, clock or randomness)', () => {
    for (const { file, targets } of imports.filter((i) => i.file.startsWith('engine/'))) {
      for (const target of targets) {
        assert.ok(target.startsWith('domain/') || target.startsWith('engine/'), `${file} imports ${target}`);
      }
      const text = readFileSync(join(SRC, file), 'utf8');
      assert.doesNotMatch(
        text,
        /Date\.now|new Date\(|Math\.random|performance\.now/,
        `${file} reads a clock or randomness`,
      );
    }
  });

  it('only app/ chooses adapters (an adapter may share code with another of its technology)', () => {
    for (const { file, targets } of imports.filter((i) => !i.file.startsWith('app/'))) {
      const own = ADAPTERS.find((a) => file.startsWith(`${a}/`));
      for (const target of targets) {
        const adapter = ADAPTERS.find((a) => target.startsWith(`${a}/`));
        if (adapter === undefined) continue;
        assert.ok(
          own !== undefined && technology(own) === technology(adapter),
          `${file} imports the adapter ${target}`,
        );
      }
    }
  });

  it('clients/ (code a client of Bourse runs, such as the ccxt recipe) imports nothing at all', () => {
    for (const { file, targets } of imports.filter((i) => i.file.startsWith('clients/'))) {
      assert.deepEqual(targets, [], `${file} imports ${targets.join(', ')}`);
    }
  });

  it('ops/ (metrics, tracing, remediation) reads the core only through its channel modules and types', () => {
    for (const { file, targets } of imports.filter((i) => i.file.startsWith('ops/'))) {
      for (const target of targets) {
        const allowed =
          target.startsWith('ops/') ||
          target.startsWith('domain/') ||
          target.startsWith('node:') ||
          /^(gateway|journal|sequencer|storage|marketdata)\/[a-z-]*-channels\.ts$/.test(target) ||
          /^(prom-client|@opentelemetry\/|pino$|@aws-sdk\/)/.test(target) ||
          // A port's types, so an ops adapter (the ECS supervisor) fits the port it serves.
          /-port\.ts$/.test(target);
        assert.ok(allowed, `${file} imports ${target}`);
      }
    }
  });

  it('nothing but app/ imports ops/: the core publishes on channels and never knows who listens', () => {
    for (const { file, targets } of imports.filter(
      (i) => !i.file.startsWith('app/') && !i.file.startsWith('ops/'),
    )) {
      for (const target of targets) assert.ok(!target.startsWith('ops/'), `${file} imports ${target}`);
    }
  });

  it('the sequencer depends on the log port, not on a log', () => {
    for (const { file, targets } of imports.filter((i) => i.file.startsWith('sequencer/'))) {
      for (const target of targets) {
        assert.ok(
          ['domain/', 'engine/', 'sequencer/', 'journal/log-port', 'journal/snapshots/', 'node:'].some((p) =>
            target.startsWith(p),
          ),
          `${file} imports ${target}`,
        );
      }
    }
  });
});
