import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiHarness } from '../api/support/api-harness.ts';
import {
  dashboardExpressions,
  exposedMetrics,
  ruleExpressions,
  type SelectorUse,
  selectorsOf,
} from '../support/promql-selectors.ts';

const IMAGES = join(import.meta.dirname, '..', '..', '..', 'infra', 'images');

/**
 * Metrics the rules and dashboards read that no Bourse process exposes, each with who does. Every
 * entry must still be read by some expression (a stale entry fails), and nothing else is skipped.
 */
export const NOT_FROM_THE_EXCHANGE: Readonly<Record<string, string>> = {
  up: 'written by the scraper (vmagent, VictoriaMetrics) for each target it scrapes',
  kafka_consumergroup_lag:
    "the Kafka exporter's (MSK open monitoring on the fleet); the embedded process has no Kafka",
};

/** Labels the scraper adds to every sample from its scrape configuration, not the process. */
export const SCRAPER_LABELS: Readonly<Record<string, string>> = {
  job: "the scrape job's name (vmagent's scrape_configs), one per service",
  instance: 'the scraped address',
};

/** Metrics only the prober (ops/prober) exposes, checked against its own /metrics by prober.test.ts. */
export const FROM_THE_PROBER = /^bourse_probe_/;

function expressions(): { file: string; expr: string }[] {
  const out: { file: string; expr: string }[] = [];
  const rules = join(IMAGES, 'vmalert', 'rules');
  for (const name of readdirSync(rules).filter((n) => /\.ya?ml$/.test(n))) {
    for (const expr of ruleExpressions(readFileSync(join(rules, name), 'utf8')))
      out.push({ file: `vmalert/rules/${name}`, expr });
  }
  const dashboards = join(IMAGES, 'grafana', 'dashboards');
  for (const name of readdirSync(dashboards).filter((n) => n.endsWith('.json'))) {
    for (const expr of dashboardExpressions(readFileSync(join(dashboards, name), 'utf8')))
      out.push({ file: `grafana/dashboards/${name}`, expr });
  }
  return out;
}

describe('every metric the rules and dashboards query exists on a running exchange', () => {
  let api: ApiHarness;
  let exposed: Map<string, Set<string>>;

  before(async () => {
    api = await ApiHarness.start();
    // Traffic through every door whose metrics carry labels: an order, a refused request, a read.
    const alice = api.trader('alice');
    const placed = await api.signed('POST', '/api/v3/order', alice, {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: '50000',
      quantity: '0.001',
    });
    assert.equal(placed.status, 200);
    assert.equal((await api.get('/api/v3/depth', { symbol: 'NOPE' })).status, 400);
    const url = api.server.metrics?.url;
    assert.ok(url !== undefined, 'metrics are on by default');
    exposed = exposedMetrics(await (await fetch(`${url}/metrics`)).text());
  });
  after(() => api.close());

  it('finds expressions to check (the files are where the cloud stack deploys them from)', () => {
    assert.ok(expressions().length >= 6);
  });

  for (const { file, expr } of expressions()) {
    it(`${file}: ${expr}`, () => {
      for (const use of selectorsOf(expr)) check(use, exposed);
    });
  }

  it('every allow-listed metric is still read by some expression', () => {
    const read = new Set(expressions().flatMap(({ expr }) => selectorsOf(expr).map((u) => u.metric)));
    for (const metric of Object.keys(NOT_FROM_THE_EXCHANGE))
      assert.ok(read.has(metric), `${metric} is read by nothing`);
  });

  it("the engine's command lag, the read model's lag and the runtime defaults are exposed", () => {
    for (const name of [
      'bourse_engine_command_lag_seconds',
      'bourse_read_model_lag_seconds',
      'bourse_read_model_lag_commands',
      'bourse_sequencer_commands_total',
      'bourse_journal_write_seconds_bucket',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
      'process_resident_memory_bytes',
    ]) {
      assert.ok(exposed.has(name), `${name} is missing`);
    }
  });
});

function check(use: SelectorUse, exposed: Map<string, Set<string>>): void {
  if (NOT_FROM_THE_EXCHANGE[use.metric] !== undefined || FROM_THE_PROBER.test(use.metric)) return;
  const labels = exposed.get(use.metric);
  assert.ok(labels !== undefined, `${use.metric} is not exposed by the exchange's /metrics`);
  for (const label of use.labels) {
    if (SCRAPER_LABELS[label] !== undefined) continue;
    assert.ok(labels.has(label), `${use.metric} has no label ${label} (it has ${[...labels].join(', ')})`);
  }
}
