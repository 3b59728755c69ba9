import { WebSocket } from 'ws';
import type { TimeUnit } from '../binance/time-unit.ts';
import type { MessageRate } from './message-rate.ts';
import type { StreamClient } from './stream-hub.ts';

/** A limit on what a peer sends: messages, pings and unsolicited pongs all count. */
export interface IncomingLimit {
  readonly rate: MessageRate;
  readonly clock: () => number;
}

/**
 * One peer, as every fan-out sees it. A peer that does not read fast enough has its socket buffer
 * grow; past `maxBufferedBytes` it is cut off at once (terminate, not a close handshake that would
 * queue behind the backlog), so one slow reader never holds memory or time that the others need.
 *
 * With an incoming limit, a peer that sends too much is closed (1008, policy violation) and nothing
 * it sends after that is read.
 */
export class ClientSocket implements StreamClient {
  readonly ws: WebSocket;
  combined: boolean;
  readonly timeUnit: TimeUnit;
  /** Pings sent since the last pong: the peer is gone when they pile up. */
  private unanswered = 0;
  /** Pings sent less pongs received: a pong beyond them is the peer's own, and counts as a message. */
  private pingsOutstanding = 0;
  private readonly maxUnanswered: number;
  private readonly maxBufferedBytes: number;
  private readonly onSlow: () => void;
  private readonly incoming: IncomingLimit | undefined;
  /** Set once the peer went over its incoming limit. */
  private cut = false;

  constructor(
    ws: WebSocket,
    combined: boolean,
    timeUnit: TimeUnit,
    limits: {
      readonly maxBufferedBytes: number;
      readonly maxUnansweredPings: number;
      readonly incoming?: IncomingLimit;
    },
    onSlow: () => void,
  ) {
    this.ws = ws;
    this.combined = combined;
    this.timeUnit = timeUnit;
    this.maxBufferedBytes = limits.maxBufferedBytes;
    this.maxUnanswered = limits.maxUnansweredPings;
    this.incoming = limits.incoming;
    this.onSlow = onSlow;
    ws.on('pong', () => {
      // A pong that answers the server's ping comes at the server's pace; any other is the peer's own.
      if (this.pingsOutstanding > 0) this.pingsOutstanding--;
      else this.admit();
      this.unanswered = 0;
    });
    ws.on('ping', () => this.admit());
  }

  /**
   * Counts one incoming message against the limit. False when the message must be ignored: the peer
   * went over the limit, now or before (the connection is then closing).
   */
  admit(): boolean {
    if (this.cut) return false;
    const incoming = this.incoming;
    if (incoming === undefined || incoming.rate.take(incoming.clock())) return true;
    this.cut = true;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1008, 'Too many messages');
    return false;
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
    this.pingsOutstanding++;
    this.ws.ping();
  }
}
