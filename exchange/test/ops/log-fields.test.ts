import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const VECTOR = join(ROOT, 'infra', 'images', 'vector', 'vector.yaml');

/** Fields of the parsed line that vector.yaml's remap reads (`.name` on the right of `=`, or in a call). */
function fieldsVectorReads(): string[] {
  const yaml = readFileSync(VECTOR, 'utf8');
  const source = /source: \|\n((?:\s{6}.*\n|\s*\n)+)/.exec(yaml)?.[1];
  assert.ok(source !== undefined, 'vector.yaml has a remap source');
  const reads = new Set<string>();
  for (const line of source.split('\n')) {
    const [, right = line] = /^\s*\.[a-z_]+\s*=(?!=)\s*(.*)$/.exec(line) ?? [];
    for (const m of right.matchAll(/(?<![\w)])\.([a-zA-Z_]+)/g)) reads.add(m[1]!);
  }
  // `.log` is FireLens' field holding the line itself, not a field of the line.
  reads.delete('log');
  return [...reads];
}

describe("the Vector sidecar's log parsing", () => {
  it('reads only fields that the server writes on its request lines, traced or not', async () => {
    const fields = fieldsVectorReads();
    assert.ok(
      fields.includes('reqId') && fields.includes('traceId') && fields.includes('service'),
      `${fields}`,
    );
    const dataDir = mkdtempSync(join(tmpdir(), 'bourse-logs-'));
    // The real server process, as `npm start` runs it, tracing every request (spans go nowhere).
    const child = spawn(process.execPath, [join(ROOT, 'exchange', 'src', 'app', 'server.ts')], {
      env: {
        ...process.env,
        BOURSE_DATA_DIR: dataDir,
        BOURSE_PORT: '0',
        BOURSE_ADMIN_PORT: '0',
        BOURSE_METRICS_PORT: '0',
        BOURSE_MARKET_MAKER: 'false',
        BOURSE_TRACE_SAMPLE_PERCENT: '100',
        BOURSE_ZIPKIN_URL: 'http://127.0.0.1:9/api/v2/spans',
      },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const lines: Record<string, unknown>[] = [];
    let buffered = '';
    let onLine = (_line: Record<string, unknown>) => {};
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      buffered += text;
      let nl = buffered.indexOf('\n');
      while (nl !== -1) {
        const line = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
        buffered = buffered.slice(nl + 1);
        lines.push(line);
        onLine(line);
        nl = buffered.indexOf('\n');
      }
    });
    const next = (match: (line: Record<string, unknown>) => boolean) =>
      new Promise<Record<string, unknown>>((resolve) => {
        const seen = lines.find(match);
        if (seen !== undefined) return resolve(seen);
        onLine = (line) => {
          if (match(line)) resolve(line);
        };
      });
    try {
      const listening = await next((l) => l.msg === 'listening');
      const response = await fetch(`${listening.url as string}/api/v3/time`);
      assert.equal(response.status, 200);
      const request = await next((l) => l.msg === 'request');
      for (const field of fields)
        assert.ok(field in request, `vector.yaml reads .${field}; the line has ${Object.keys(request)}`);
      assert.equal(request.service, 'exchange');
      assert.match(request.traceId as string, /^[0-9a-f]{32}$/);
      assert.equal(request.reqId, response.headers.get('x-request-id'));
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
