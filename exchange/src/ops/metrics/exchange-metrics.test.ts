import assert from 'node:assert/strict';
import { hasSubscribers } from 'node:diagnostics_channel';
import { describe, it } from 'node:test';
import { MatchingEngine } from '../../engine/engine.ts';
import type { LogAppender, LogRecord } from '../../journal/log-port.ts';
import { Sequencer } from '../../sequencer/sequencer.ts';
import { COMMAND_APPLIED_CHANNEL } from '../../sequencer/sequencer-channels.ts';
import { createExchangeMetrics } from './exchange-metrics.ts';

/** A log whose appends become durable when the test says so: the time between stamp and apply is the test's. */
class ManualLog implements LogAppender {
  readonly durable: (() => void)[] = [];
  append(): Promise<void> {
    throw new Error('the sequencer appends one record at a time');
  }
  appendOne(_record: LogRecord): Promise<void> {
    return new Promise((resolve) => this.durable.push(resolve));
  }
  lastSeq(): number {
    return 0;
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

async function value(metrics: ReturnType<typeof createExchangeMetrics>, name: string): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)!.get();
  return metric.values[0]!.value;
}

describe('exchange metrics', () => {
  it("bourse_engine_command_lag_seconds is the time from a command's stamp to its apply", async () => {
    let now = 1_000_000;
    const log = new ManualLog();
    const engine = new MatchingEngine();
    const sequencer = new Sequencer(engine, log, { clock: () => now });
    let readModelSeq = 0;
    const metrics = createExchangeMetrics({
      service: 'test',
      clock: () => now,
      engineSeq: () => engine.lastSeq,
      readModelSeq: () => readModelSeq,
    });
    try {
      const done = sequencer.submit({ type: 'AddAsset', asset: 'BTC', decimals: 8 });
      now += 1_500; // the durable write takes 1.5 s
      log.durable[0]!();
      await done;
      assert.equal(await value(metrics, 'bourse_engine_command_lag_seconds'), 1.5);
      assert.equal(await value(metrics, 'bourse_sequencer_commands_total'), 1);
      // The read model has not passed the command: its lag is the command's age, until it does.
      now += 2_000;
      assert.equal(await value(metrics, 'bourse_read_model_lag_commands'), 1);
      assert.equal(await value(metrics, 'bourse_read_model_lag_seconds'), 3.5);
      readModelSeq = 1;
      assert.equal(await value(metrics, 'bourse_read_model_lag_seconds'), 0);
    } finally {
      metrics.stop();
    }
  });

  it('stop unsubscribes from every channel, so the core pays nothing; resume subscribes again', async () => {
    const metrics = createExchangeMetrics({ service: 'test' });
    assert.equal(hasSubscribers(COMMAND_APPLIED_CHANNEL), true);
    metrics.stop();
    assert.equal(hasSubscribers(COMMAND_APPLIED_CHANNEL), false);
    metrics.resume();
    assert.equal(hasSubscribers(COMMAND_APPLIED_CHANNEL), true);
    metrics.stop();
    await settle();
  });
});
