/**
 * The receiving end of the WebSocket fan-out benchmark, as a child process: opens `connections`
 * sockets on one market stream, then counts messages and their delay from the event time (`E`) the
 * server stamped to arrival. Reads one JSON job from argv; prints "ready" once all are subscribed,
 * then one JSON result when the parent writes "stop" on stdin.
 */
import WebSocket from 'ws';
import { percentile } from '../support/latency.ts';

interface WsJob {
  readonly url: string;
  readonly connections: number;
}

const job = JSON.parse(process.argv[2]!) as WsJob;
const delays: number[] = [];
let messages = 0;
let measuring = false;
let closedEarly = 0;
const sockets: WebSocket[] = [];

async function open(): Promise<void> {
  const batch = 100;
  for (let i = 0; i < job.connections; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, job.connections - i) }, () => {
        return new Promise<void>((resolve, reject) => {
          const ws = new WebSocket(job.url);
          ws.on('open', () => resolve());
          ws.on('error', reject);
          ws.on('close', () => {
            if (measuring) closedEarly++;
          });
          ws.on('message', (data: Buffer) => {
            if (!measuring) return;
            messages++;
            const text = data.toString();
            const e = /"E":(\d+)/.exec(text);
            if (e !== null) delays.push(Date.now() - Number(e[1]));
          });
          sockets.push(ws);
        });
      }),
    );
  }
}

let started = 0;
open().then(() => {
  process.stdout.write('ready\n');
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (text: string) => {
    if (text.includes('start')) {
      measuring = true;
      started = performance.now();
    }
    if (text.includes('stop')) {
      measuring = false;
      const seconds = (performance.now() - started) / 1000;
      delays.sort((a, b) => a - b);
      const at = (p: number) => percentile(delays, p);
      process.stdout.write(
        `${JSON.stringify({
          connections: sockets.length,
          messages,
          messagesPerSec: Math.round(messages / seconds),
          p50Ms: at(0.5),
          p99Ms: at(0.99),
          closedEarly,
        })}\n`,
      );
      for (const ws of sockets) ws.terminate();
      process.exit(0);
    }
  });
});
