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
  /** Pings sent since the last pong. */
  private unanswered = 0;
  private readonly maxUnanswered: number;
  private readonly maxBufferedBytes: number;
  private readonly onSlow: () => void;

  constructor(
    ws: WebSocket,
    combined: boolean,
    limits: { readonly maxBufferedBytes: number; readonly maxUnansweredPings: number },
    onSlow: () => void,
  ) {
    this.ws = ws;
    this.combined = combined;
    this.maxBufferedBytes = limits.maxBufferedBytes;
    this.maxUnanswered = limits.maxUnansweredPings;
    this.onSlow = onSlow;
    ws.on('pong', () => {
      this.unanswered = 0;
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

  /** Sends a ping, or ends a peer that left too many unanswered. */
  keepalive(): void {
    if (this.unanswered >= this.maxUnanswered) {
      this.ws.terminate();
      return;
    }
    this.unanswered++;
    this.ws.ping();
  }
}
