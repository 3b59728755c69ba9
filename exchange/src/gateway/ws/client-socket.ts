import { WebSocket } from 'ws';
import type { StreamClient } from './stream-hub.ts';

/**
 * One peer, as every fan-out sees it. A peer that does not read fast enough has its socket buffer
 * grow; past `maxBufferedBytes` it is cut off at once (terminate, not a close handshake that would
 * queue behind the backlog), so one slow reader never holds memory or time that the others need.
 */
export class ClientSocket implements StreamClient {
  readonly ws: WebSocket;
  combined: boolean;
  /** Cleared at each ping, set by the pong: a peer still clear at the next ping is gone. */
  alive = true;
  private readonly maxBufferedBytes: number;
  private readonly onSlow: () => void;

  constructor(ws: WebSocket, combined: boolean, maxBufferedBytes: number, onSlow: () => void) {
    this.ws = ws;
    this.combined = combined;
    this.maxBufferedBytes = maxBufferedBytes;
    this.onSlow = onSlow;
    ws.on('pong', () => {
      this.alive = true;
    });
  }

  deliver(frame: Buffer): void {
    const ws = this.ws;
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > this.maxBufferedBytes) {
      this.onSlow();
      ws.terminate();
      return;
    }
    ws.send(frame, { binary: false });
  }

  sendJson(data: unknown): void {
    this.deliver(Buffer.from(JSON.stringify(data)));
  }

  /** Sends a ping, or ends a peer that did not answer the last one. */
  keepalive(): void {
    if (!this.alive) {
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }
}
