import { eventInMicroseconds, type TimeUnit } from '../binance/time-unit.ts';

/** A connection as the hub sees it: how it wants payloads framed, and where they go. */
export interface StreamClient {
  /** Combined streams wrap each payload as {"stream":..,"data":..}. */
  readonly combined: boolean;
  /** The unit of the payloads' times (the URL's timeUnit). */
  readonly timeUnit: TimeUnit;
  deliver(frame: Buffer): void;
}

interface Topic<T> {
  readonly stream: T;
  readonly clients: Set<StreamClient>;
}

/**
 * Who listens to which stream, and the fan-out. A payload is serialized once per publish (and once
 * more, lazily, for combined-stream clients, and for clients that asked for microseconds), then the
 * same Buffer goes to every connection: the cost of a fan-out grows with the number of sockets, not
 * with the size of the JSON times that number.
 */
export class StreamHub<T> {
  private readonly topics = new Map<string, Topic<T>>();

  subscribe(name: string, stream: T, client: StreamClient): void {
    let topic = this.topics.get(name);
    if (topic === undefined) {
      topic = { stream, clients: new Set() };
      this.topics.set(name, topic);
    }
    topic.clients.add(client);
  }

  unsubscribe(name: string, client: StreamClient): void {
    const topic = this.topics.get(name);
    if (topic === undefined) return;
    topic.clients.delete(client);
    if (topic.clients.size === 0) this.topics.delete(name);
  }

  has(name: string): boolean {
    return this.topics.has(name);
  }

  /** Streams with at least one listener, with their parsed form. */
  active(): IterableIterator<[string, Topic<T>]> {
    return this.topics.entries();
  }

  /** Sends `data` to every listener of `name`; returns how many got it. */
  publish(name: string, data: unknown): number {
    const topic = this.topics.get(name);
    if (topic === undefined) return 0;
    return this.publishJson(topic, name, JSON.stringify(data));
  }

  /** Like publish, for a payload already serialized. */
  publishJson(topic: Topic<T>, name: string, json: string): number {
    // Frames by [microseconds][combined], each made when a client first needs it.
    const frames: (Buffer | undefined)[] = [undefined, undefined, undefined, undefined];
    let microJson: string | undefined;
    let sent = 0;
    // Deleting from a Set while iterating it is safe, should a delivery drop a client.
    for (const client of topic.clients) {
      const micro = client.timeUnit === 'MICROSECOND';
      const slot = (micro ? 2 : 0) + (client.combined ? 1 : 0);
      let frame = frames[slot];
      if (frame === undefined) {
        if (micro) microJson ??= JSON.stringify(eventInMicroseconds(JSON.parse(json)));
        const payload = micro ? microJson! : json;
        frame = Buffer.from(
          client.combined ? `{"stream":${JSON.stringify(name)},"data":${payload}}` : payload,
        );
        frames[slot] = frame;
      }
      client.deliver(frame);
      sent++;
    }
    return sent;
  }

  topic(name: string): Topic<T> | undefined {
    return this.topics.get(name);
  }
}
