import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  type Context,
  context as otelContext,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import {
  HTTP_REQUEST_CHANNEL,
  HTTP_REQUEST_START_CHANNEL,
  type HttpRequestMessage,
  type HttpRequestStartMessage,
  USER_DATA_PUSHED_CHANNEL,
  type UserDataPushedMessage,
} from '../../gateway/gateway-channels.ts';
import { COMMAND_APPLIED_CHANNEL, type CommandAppliedMessage } from '../../sequencer/sequencer-channels.ts';
import { READ_MODEL_BATCH_CHANNEL, type ReadModelBatchMessage } from '../../storage/storage-channels.ts';

export interface ExchangeTracingOptions {
  /** The resource's `service.name`. */
  readonly service: string;
  /** Share of requests traced without a sampled parent (0 to 1); a client's sampled traceparent is followed. */
  readonly sampleRatio: number;
  /** Where spans go (Zipkin locally, OTLP to the collector on the fleet). */
  readonly exporter: SpanExporter;
}

export interface ExchangeTracing {
  /** Exports every span ended so far. */
  flush(): Promise<void>;
  /** Unsubscribes from every channel and shuts the exporter down. */
  close(): Promise<void>;
}

const propagator = new W3CTraceContextPropagator();
const headerGetter: TextMapGetter<Record<string, string>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};
const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Span times are wall-clock: performance's origin plus its monotonic reading, in ms. */
const nowMs = () => performance.timeOrigin + performance.now();
/** A time in whole microseconds, as [seconds, nanoseconds]: Zipkin refuses a fractional timestamp. */
function hr(ms: number): [number, number] {
  const us = Math.round(ms * 1000);
  return [Math.floor(us / 1_000_000), (us % 1_000_000) * 1000];
}

/**
 * An order's trace, by subscription to the core's channels (no monkey-patching of node:http, so no
 * ESM loader hook): the gateway's request span starts as the request arrives and its traceparent
 * travels with each command it submits, through the log (beside the record), to the engine's apply;
 * the journal's durable write, the projection's write and the user-data push become its children.
 */
export function startExchangeTracing(options: ExchangeTracingOptions): ExchangeTracing {
  if (!(options.sampleRatio > 0 && options.sampleRatio <= 1)) {
    throw new RangeError(`sampleRatio ${options.sampleRatio} is invalid: use a number above 0, at most 1`);
  }
  const provider = new TracerProvider({
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio) }),
    resource: resourceFromAttributes({ 'service.name': options.service }),
    spanProcessors: [new BatchSpanProcessor({ exporter: options.exporter, scheduledDelayMillis: 500 })],
  });
  const tracer = provider.getTracer('bourse');
  /** Request spans by request id, until answered. */
  const requests = new Map<string, Span>();
  /** Commands applied with a trace context, waiting for the projection's write, by seq. */
  const awaitingProjection = new Map<number, Context>();
  /** The same, waiting for the user-data push (published in the same turn as the apply). */
  const awaitingPush = new Map<number, Context>();

  const onStart = (m: unknown) => {
    const start = m as HttpRequestStartMessage;
    const carrier: Record<string, string> =
      start.traceparent === undefined ? {} : { traceparent: start.traceparent };
    const parent = propagator.extract(otelContext.active(), carrier, headerGetter);
    const span = tracer.startSpan(
      `${start.method} ${start.path}`,
      { kind: SpanKind.SERVER, startTime: hr(nowMs()) },
      parent,
    );
    if (!span.isRecording()) return;
    span.setAttributes({
      'http.request.method': start.method,
      'url.path': start.path,
      'bourse.request_id': start.reqId,
    });
    requests.set(start.reqId, span);
    const header: Record<string, string> = {};
    propagator.inject(trace.setSpan(otelContext.active(), span), header, {
      set: (carrier, key, value) => {
        carrier[key] = value;
      },
    });
    if (header.traceparent !== undefined) start.context = encoder.encode(header.traceparent);
  };
  const onRequest = (m: unknown) => {
    const r = m as HttpRequestMessage;
    const span = requests.get(r.reqId);
    if (span === undefined) return;
    requests.delete(r.reqId);
    span.updateName(`${r.method} ${r.route}`);
    span.setAttributes({ 'http.route': r.route, 'http.response.status_code': r.status });
    if (r.code !== undefined) span.setAttribute('bourse.binance_code', r.code);
    if (r.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(hr(nowMs()));
  };
  const onApplied = (m: unknown) => {
    const a = m as CommandAppliedMessage;
    if (a.context === undefined) return;
    const parent = propagator.extract(
      otelContext.active(),
      { traceparent: decoder.decode(a.context) },
      headerGetter,
    );
    const end = nowMs();
    const applyStart = end - a.applyMs;
    const attributes = { 'bourse.seq': a.command.seq, 'bourse.command': a.command.type };
    // From the stamp (the sequencer's clock, ms) to the apply: the log's append and durable write.
    tracer
      .startSpan(
        'journal.append',
        { kind: SpanKind.PRODUCER, startTime: hr(Math.min(a.command.ts, applyStart)), attributes },
        parent,
      )
      .end(hr(applyStart));
    const apply = tracer.startSpan(
      'engine.apply',
      { kind: SpanKind.CONSUMER, startTime: hr(applyStart), attributes },
      parent,
    );
    apply.setAttribute('bourse.events', a.events.length);
    apply.end(hr(end));
    awaitingProjection.set(a.command.seq, parent);
    awaitingPush.set(a.command.seq, parent);
    // The push, if any, follows in this turn; a command with no listener has none.
    setImmediate(() => awaitingPush.delete(a.command.seq));
  };
  const onProjected = (m: unknown) => {
    const b = m as ReadModelBatchMessage;
    if (awaitingProjection.size === 0) return;
    const end = nowMs();
    for (const [seq, parent] of awaitingProjection) {
      if (seq > b.appliedSeq) continue;
      awaitingProjection.delete(seq);
      tracer
        .startSpan(
          'read-model.write',
          {
            kind: SpanKind.CONSUMER,
            startTime: hr(end - b.writeMs),
            attributes: { 'bourse.seq': seq, 'bourse.batch_events': b.events },
          },
          parent,
        )
        .end(hr(end));
    }
  };
  const onPushed = (m: unknown) => {
    const p = m as UserDataPushedMessage;
    const parent = awaitingPush.get(p.seq);
    if (parent === undefined) return;
    awaitingPush.delete(p.seq);
    const at = nowMs();
    tracer
      .startSpan(
        'user-data.push',
        {
          kind: SpanKind.PRODUCER,
          startTime: hr(at),
          attributes: { 'bourse.seq': p.seq, 'bourse.users': p.users, 'bourse.connections': p.connections },
        },
        parent,
      )
      .end(hr(at));
  };
  const handlers: [string, (m: unknown) => void][] = [
    [HTTP_REQUEST_START_CHANNEL, onStart],
    [HTTP_REQUEST_CHANNEL, onRequest],
    [COMMAND_APPLIED_CHANNEL, onApplied],
    [READ_MODEL_BATCH_CHANNEL, onProjected],
    [USER_DATA_PUSHED_CHANNEL, onPushed],
  ];
  for (const [name, handler] of handlers) subscribe(name, handler);
  return {
    flush: () => provider.forceFlush(),
    close: async () => {
      for (const [name, handler] of handlers) unsubscribe(name, handler);
      await provider.shutdown();
    },
  };
}
