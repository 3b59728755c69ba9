/**
 * The project's own Apache Kafka cluster: three KRaft nodes on loopback, each both controller and broker,
 * run from the jars that Maven fetches (pom.xml beside this file). The CLI (`npm run kafka -- start|stop|
 * status`) and every test or benchmark that needs a broker go through `startCluster`, which is
 * idempotent: it formats what is not formatted, starts what is not running and reuses what is.
 *
 * Durability settings are the production ones the log adapter relies on: replication factor 3,
 * min.insync.replicas 2 (an acks=all append survives the loss of any one broker), unclean leader
 * election off (a replica that missed acknowledged records can never become leader). The JVMs are
 * sized for a shared 2-core, 24 GiB machine: 512 MiB heap each and few threads.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Where the cluster lives and listens. @default - ports from 19092 (brokers) and 19192 (controllers) */
export interface ClusterLayout {
  readonly home: string;
  readonly libDir: string;
  readonly dataDir: string;
  readonly nodeIds: readonly number[];
  readonly brokerPort: (nodeId: number) => number;
  readonly controllerPort: (nodeId: number) => number;
}

function portBase(): number {
  const raw = process.env.BOURSE_KAFKA_PORT_BASE;
  if (raw === undefined || raw === '') return 19092;
  const base = Number(raw);
  if (!Number.isInteger(base) || base < 1024 || base > 65_000) {
    throw new Error(`BOURSE_KAFKA_PORT_BASE must be an integer port from 1024 to 65000, got '${raw}'`);
  }
  return base;
}

export function defaultLayout(): ClusterLayout {
  return layoutAt(portBase(), join(here, 'data'));
}

/**
 * A cluster of its own, for a test that kills brokers and must not disturb the shared one: brokers on
 * `base`..`base+2`, controllers on `base+100`..`base+102`, data under `dataDir`.
 */
export function layoutAt(base: number, dataDir: string): ClusterLayout {
  return {
    home: here,
    libDir: join(here, 'lib'),
    dataDir,
    nodeIds: [1, 2, 3],
    brokerPort: (id) => base + id - 1,
    controllerPort: (id) => base + 100 + id - 1,
  };
}

/** The bootstrap list a client connects with. */
export function bootstrapBrokers(layout: ClusterLayout = defaultLayout()): string[] {
  return layout.nodeIds.map((id) => `127.0.0.1:${layout.brokerPort(id)}`);
}

export interface BrokerStatus {
  readonly nodeId: number;
  readonly port: number;
  /** The process id from the pid file, when that process is alive. */
  readonly pid: number | undefined;
  /** Whether the broker port accepts connections. */
  readonly listening: boolean;
}

/** Formats (once) and starts every node that is not running, then waits until all three listen. */
export async function startCluster(layout: ClusterLayout = defaultLayout()): Promise<void> {
  ensureJars(layout);
  await withLock(layout, async () => {
    const clusterId = ensureClusterId(layout);
    for (const id of layout.nodeIds) {
      if (livePid(layout, id) !== undefined) continue;
      writeNodeConfig(layout, id);
      formatNode(layout, id, clusterId);
      spawnNode(layout, id);
    }
    await waitUntil(layout, async () => (await clusterStatus(layout)).every((b) => b.listening));
  });
}

/** Starts one node again (after `killBroker`); the others keep running. */
export async function startBroker(nodeId: number, layout: ClusterLayout = defaultLayout()): Promise<void> {
  if (livePid(layout, nodeId) === undefined) spawnNode(layout, nodeId);
  await waitUntil(layout, () => isListening(layout.brokerPort(nodeId)));
}

/** SIGKILLs one node, as a crash would, and waits for its process to be gone. */
export async function killBroker(nodeId: number, layout: ClusterLayout = defaultLayout()): Promise<void> {
  const pid = livePid(layout, nodeId);
  if (pid === undefined) return;
  process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(20);
}

/** Stops every node with SIGTERM (a controlled shutdown), and SIGKILL for one that has not exited in 60 s. */
export async function stopCluster(layout: ClusterLayout = defaultLayout()): Promise<void> {
  const pids = layout.nodeIds.map((id) => livePid(layout, id)).filter((p) => p !== undefined);
  for (const pid of pids) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 60_000;
  for (const pid of pids) {
    while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
}

export async function clusterStatus(layout: ClusterLayout = defaultLayout()): Promise<BrokerStatus[]> {
  return Promise.all(
    layout.nodeIds.map(async (nodeId) => ({
      nodeId,
      port: layout.brokerPort(nodeId),
      pid: livePid(layout, nodeId),
      listening: await isListening(layout.brokerPort(nodeId)),
    })),
  );
}

/** Fetches the broker's jars with Maven on the first run (a new machine needs only Java and Maven). */
export function ensureJars(layout: ClusterLayout): void {
  if (existsSync(join(layout.libDir, '.complete'))) return;
  const mvn = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      'dependency:copy-dependencies',
      `-DoutputDirectory=${layout.libDir}`,
      '-DincludeScope=runtime',
    ],
    { cwd: layout.home, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (mvn.error !== undefined || mvn.status !== 0) {
    throw new Error(
      `fetching the Kafka broker with Maven failed (${mvn.error?.message ?? `exit ${mvn.status}`}); ` +
        `it needs 'mvn' on PATH and Maven Central reachable (pom: ${join(layout.home, 'pom.xml')})`,
    );
  }
  writeFileSync(join(layout.libDir, '.complete'), '');
}

function nodeDir(layout: ClusterLayout, id: number): string {
  return join(layout.dataDir, `node-${id}`);
}

function ensureClusterId(layout: ClusterLayout): string {
  const file = join(layout.dataDir, 'cluster-id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  // Kafka's cluster id is a UUID in URL-safe base64 without padding (22 characters).
  const id = randomBytes(16).toString('base64url');
  writeFileSync(file, id);
  return id;
}

function writeNodeConfig(layout: ClusterLayout, id: number): void {
  const voters = layout.nodeIds.map((v) => `${v}@127.0.0.1:${layout.controllerPort(v)}`).join(',');
  const maxRecordBytes = 16 * 1024 * 1024;
  const lines = [
    'process.roles=broker,controller',
    `node.id=${id}`,
    `listeners=PLAINTEXT://127.0.0.1:${layout.brokerPort(id)},CONTROLLER://127.0.0.1:${layout.controllerPort(id)}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${layout.brokerPort(id)}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `controller.quorum.voters=${voters}`,
    `log.dirs=${join(nodeDir(layout, id), 'log')}`,
    // Durability: what an acks=all append relies on.
    'default.replication.factor=3',
    'min.insync.replicas=2',
    'unclean.leader.election.enable=false',
    'offsets.topic.replication.factor=3',
    'transaction.state.log.replication.factor=3',
    'transaction.state.log.min.isr=2',
    'auto.create.topics.enable=false',
    // A dead broker leaves the ISR after seconds, not the default half minute, so that a producer
    // waiting on acks=all is unblocked quickly by the two that remain.
    'broker.session.timeout.ms=3000',
    'broker.heartbeat.interval.ms=500',
    'replica.lag.time.max.ms=5000',
    'group.initial.rebalance.delay.ms=0',
    // Small footprint: few partitions for the internal topics, few threads.
    'num.partitions=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.num.partitions=4',
    'num.network.threads=2',
    'num.io.threads=2',
    'num.replica.fetchers=1',
    'background.threads=2',
    'log.cleaner.threads=1',
    'num.recovery.threads.per.data.dir=1',
    // The log contract appends payloads of several MiB.
    `message.max.bytes=${maxRecordBytes}`,
    `replica.fetch.max.bytes=${maxRecordBytes}`,
  ];
  mkdirSync(nodeDir(layout, id), { recursive: true });
  writeFileSync(join(nodeDir(layout, id), 'server.properties'), `${lines.join('\n')}\n`);
}

function formatNode(layout: ClusterLayout, id: number, clusterId: string): void {
  if (existsSync(join(nodeDir(layout, id), 'log', 'meta.properties'))) return;
  const format = spawnSync(
    'java',
    [
      ...jvmArgs(layout, id, 'format'),
      'kafka.tools.StorageTool',
      'format',
      '--ignore-formatted',
      '-t',
      clusterId,
      '-c',
      join(nodeDir(layout, id), 'server.properties'),
    ],
    { encoding: 'utf8' },
  );
  if (format.status !== 0) {
    throw new Error(`formatting Kafka node ${id} failed: ${format.error?.message ?? format.stderr}`);
  }
}

function jvmArgs(layout: ClusterLayout, id: number, role: 'format' | 'broker'): string[] {
  const heap = role === 'broker' ? ['-Xms256m', '-Xmx512m'] : ['-Xmx128m'];
  return [
    ...heap,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:ParallelGCThreads=1',
    '-XX:ConcGCThreads=1',
    '-XX:CICompilerCount=2',
    '-Djava.awt.headless=true',
    '-Dorg.slf4j.simpleLogger.showDateTime=true',
    '-Dorg.slf4j.simpleLogger.defaultLogLevel=info',
    `-Dkafka.logs.dir=${nodeDir(layout, id)}`,
    '-cp',
    join(layout.libDir, '*'),
  ];
}

function spawnNode(layout: ClusterLayout, id: number): void {
  const logFile = openSync(join(nodeDir(layout, id), 'broker.log'), 'a');
  const child = spawn(
    'java',
    [...jvmArgs(layout, id, 'broker'), 'kafka.Kafka', join(nodeDir(layout, id), 'server.properties')],
    { detached: true, stdio: ['ignore', logFile, logFile] },
  );
  closeSync(logFile);
  if (child.pid === undefined) throw new Error(`starting Kafka node ${id} failed: no process`);
  writeFileSync(pidFile(layout, id), String(child.pid));
  child.unref();
}

function pidFile(layout: ClusterLayout, id: number): string {
  return join(nodeDir(layout, id), 'pid');
}

function livePid(layout: ClusterLayout, id: number): number | undefined {
  const file = pidFile(layout, id);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8'));
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  // A recycled pid would belong to another program; ours runs kafka.Kafka.
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka')) return undefined;
  } catch {
    return undefined;
  }
  return pid;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed child of ours stays a zombie until reaped; it is not running.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntil(layout: ClusterLayout, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(await ready())) {
    for (const id of layout.nodeIds) {
      // Every node has a pid file once spawned; one whose process is gone died while starting.
      if (existsSync(pidFile(layout, id)) && livePid(layout, id) === undefined) {
        const log = readFileSync(join(nodeDir(layout, id), 'broker.log'), 'utf8');
        throw new Error(`Kafka node ${id} exited while starting; the end of its log:\n${log.slice(-3000)}`);
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`the Kafka cluster did not come up in 120 s; see ${layout.dataDir}/node-*/broker.log`);
    }
    await sleep(200);
  }
}

/**
 * Serializes `startCluster` across processes (test files run in parallel, each may start the cluster):
 * an exclusive lock file holding the owner's pid, taken over when its owner is dead.
 */
async function withLock<T>(layout: ClusterLayout, body: () => Promise<T>): Promise<T> {
  mkdirSync(layout.dataDir, { recursive: true });
  const lock = join(layout.dataDir, 'start.lock');
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      const owner = Number(readFileSync(lock, { encoding: 'utf8', flag: 'a+' }));
      if (!Number.isInteger(owner) || owner <= 0 || !isAlive(owner)) rmSync(lock, { force: true });
      else await sleep(200);
    }
  }
  try {
    return await body();
  } finally {
    rmSync(lock, { force: true });
  }
}
