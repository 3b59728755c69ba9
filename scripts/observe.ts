/**
 * npm run observe [start|stop|status] — the local monitoring stack, from Debian's packages:
 * VictoriaMetrics (single node; it scrapes the targets itself, so no vmagent is needed here)
 * scraping the exchange's /metrics, vmalert evaluating the repository's own rule files
 * (infra/images/vmalert/rules/*.yaml, the files the cloud stack deploys), Alertmanager with the
 * repository's routing (infra/images/alertmanager/alertmanager.yml, its receiver pointed at the
 * remediation controller on 127.0.0.1:8085), and Zipkin for traces. Data and logs in .tmp/observe/.
 * On a machine without the packages it installs them with apt-get (as root).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureZipkinJar } from './zipkin.ts';

const ROOT = join(import.meta.dirname, '..');
const DIR = join(ROOT, '.tmp', 'observe');
const RULES = join(ROOT, 'infra', 'images', 'vmalert', 'rules');
const ALERTMANAGER_CONFIG = join(ROOT, 'infra', 'images', 'alertmanager', 'alertmanager.yml');

/** Where each UI listens (all on 127.0.0.1). */
export const OBSERVE_PORTS = {
  victoriaMetrics: 8428,
  vmalert: 8880,
  alertmanager: 9093,
  zipkin: 9411,
} as const;

/** Scrape targets: the exchange's metrics port (BOURSE_METRICS_PORT, 9464) and the controller's. */
const TARGETS = {
  exchange: process.env.BOURSE_METRICS_TARGET ?? '127.0.0.1:9464',
  'remediation-controller': process.env.BOURSE_REMEDIATION_TARGET ?? '127.0.0.1:8085',
};

function ensurePackages(): void {
  if (
    existsSync('/usr/bin/victoria-metrics') &&
    existsSync('/usr/bin/vmalert') &&
    existsSync('/usr/bin/prometheus-alertmanager')
  )
    return;
  if (process.getuid?.() !== 0) {
    console.error(
      'install the stack first: sudo apt-get install -y victoria-metrics prometheus-alertmanager',
    );
    process.exit(1);
  }
  const apt = (...args: string[]) =>
    execFileSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  try {
    apt('install', '-y', '--no-install-recommends', 'victoria-metrics', 'prometheus-alertmanager');
  } catch {
    apt('update');
    apt('install', '-y', '--no-install-recommends', 'victoria-metrics', 'prometheus-alertmanager');
  }
}

function writeConfigs(): { scrape: string; alertmanager: string } {
  const scrape = join(DIR, 'scrape.yml');
  const jobs = Object.entries(TARGETS)
    .map(([job, target]) => `  - job_name: ${job}\n    static_configs:\n      - targets: ["${target}"]\n`)
    .join('');
  writeFileSync(scrape, `global:\n  scrape_interval: 5s\nscrape_configs:\n${jobs}`);
  // The repository's routing, with the controller's address as this machine has it.
  const alertmanager = join(DIR, 'alertmanager.yml');
  const routing = readFileSync(ALERTMANAGER_CONFIG, 'utf8');
  const local = routing.replace('http://remediation-controller:8085/alerts', 'http://127.0.0.1:8085/alerts');
  if (local === routing)
    throw new Error(`${ALERTMANAGER_CONFIG} no longer posts to remediation-controller:8085`);
  writeFileSync(alertmanager, local);
  return { scrape, alertmanager };
}

interface Component {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly health: string;
}

function components(scrape: string, alertmanager: string): Component[] {
  const p = OBSERVE_PORTS;
  const rules = readdirSync(RULES)
    .filter((n) => /\.ya?ml$/.test(n))
    .map((n) => `-rule=${join(RULES, n)}`);
  return [
    {
      name: 'victoria-metrics',
      command: '/usr/bin/victoria-metrics',
      args: [
        `-storageDataPath=${join(DIR, 'victoria-metrics')}`,
        `-httpListenAddr=127.0.0.1:${p.victoriaMetrics}`,
        `-promscrape.config=${scrape}`,
        '-retentionPeriod=7d',
      ],
      health: `http://127.0.0.1:${p.victoriaMetrics}/health`,
    },
    {
      name: 'vmalert',
      command: '/usr/bin/vmalert',
      args: [
        ...rules,
        `-datasource.url=http://127.0.0.1:${p.victoriaMetrics}`,
        `-remoteWrite.url=http://127.0.0.1:${p.victoriaMetrics}`,
        `-notifier.url=http://127.0.0.1:${p.alertmanager}`,
        `-httpListenAddr=127.0.0.1:${p.vmalert}`,
        '-evaluationInterval=5s',
      ],
      health: `http://127.0.0.1:${p.vmalert}/health`,
    },
    {
      name: 'alertmanager',
      command: '/usr/bin/prometheus-alertmanager',
      args: [
        `--config.file=${alertmanager}`,
        `--storage.path=${join(DIR, 'alertmanager')}`,
        `--web.listen-address=127.0.0.1:${p.alertmanager}`,
        '--cluster.listen-address=',
      ],
      health: `http://127.0.0.1:${p.alertmanager}/-/healthy`,
    },
    {
      name: 'zipkin',
      command: 'java',
      args: ['-Xmx256m', '-jar', ensureZipkinJar()],
      health: `http://127.0.0.1:${p.zipkin}/health`,
    },
  ];
}

const pidFile = (name: string) => join(DIR, `${name}.pid`);

function runningPid(name: string): number | undefined {
  if (!existsSync(pidFile(name))) return undefined;
  const pid = Number(readFileSync(pidFile(name), 'utf8'));
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

async function healthy(url: string): Promise<boolean> {
  const answer = await fetch(url).catch(() => undefined);
  return answer?.ok === true;
}

async function start(): Promise<void> {
  ensurePackages();
  mkdirSync(DIR, { recursive: true });
  const { scrape, alertmanager } = writeConfigs();
  for (const c of components(scrape, alertmanager)) {
    if (runningPid(c.name) !== undefined) {
      console.log(`${c.name}: already running`);
      continue;
    }
    const log = openSync(join(DIR, `${c.name}.log`), 'a');
    const child = spawn(c.command, c.args, {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, QUERY_PORT: String(OBSERVE_PORTS.zipkin), STORAGE_TYPE: 'mem' },
    });
    writeFileSync(pidFile(c.name), String(child.pid));
    child.unref();
  }
  for (const c of components(scrape, alertmanager)) {
    // Zipkin takes a while on a busy machine: wait for each to answer, or to die.
    while (!(await healthy(c.health))) {
      if (runningPid(c.name) === undefined)
        throw new Error(`${c.name} exited: see ${join(DIR, `${c.name}.log`)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    console.log(`${c.name}: up (${c.health})`);
  }
  printUis();
}

function stop(): void {
  for (const name of ['zipkin', 'alertmanager', 'vmalert', 'victoria-metrics']) {
    const pid = runningPid(name);
    if (pid !== undefined) process.kill(pid, 'SIGTERM');
    rmSync(pidFile(name), { force: true });
    console.log(`${name}: ${pid === undefined ? 'not running' : `stopped (pid ${pid})`}`);
  }
}

async function status(): Promise<void> {
  const { scrape, alertmanager } = {
    scrape: join(DIR, 'scrape.yml'),
    alertmanager: join(DIR, 'alertmanager.yml'),
  };
  for (const c of components(scrape, alertmanager)) {
    const pid = runningPid(c.name);
    console.log(
      `${c.name}: ${pid === undefined ? 'stopped' : `pid ${pid}, ${(await healthy(c.health)) ? 'healthy' : 'not answering'}`}`,
    );
  }
}

function printUis(): void {
  const p = OBSERVE_PORTS;
  console.log(`
  VictoriaMetrics  http://127.0.0.1:${p.victoriaMetrics}/vmui/   (targets: /targets)
  vmalert          http://127.0.0.1:${p.vmalert}/
  Alertmanager     http://127.0.0.1:${p.alertmanager}/
  Zipkin           http://127.0.0.1:${p.zipkin}/zipkin/
`);
}

if (import.meta.main) {
  const command = process.argv[2] ?? 'start';
  if (command === 'start') await start();
  else if (command === 'stop') stop();
  else if (command === 'status') await status();
  else {
    console.error(`npm run observe [start|stop|status]: unknown command ${command}`);
    process.exit(2);
  }
}
