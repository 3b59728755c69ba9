/**
 * The worker side of ThreadedSqliteReadModel: owns the one writing connection to the read model and
 * applies requests in the order the main thread posts them, answering each with its result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EngineEvent } from '../../domain/events.ts';
import { stepBack, THREAD_NICE } from '../../runtime/thread-priority.ts';
import type { ApplyResult } from '../read-model-port.ts';
import { SqliteReadModel, type SqliteReadModelOptions } from './sqlite-read-model.ts';
import type { WriterReply, WriterRequest } from './sqlite-writer-protocol.ts';

const port = parentPort!;
// The projection may trail the exchange (routes that must not see the lag wait for it); orders may not.
stepBack(THREAD_NICE.LAGGING);
let model: SqliteReadModel;
try {
  model = SqliteReadModel.open(workerData as SqliteReadModelOptions);
  port.postMessage({ id: 0, ok: true, result: await model.lastAppliedSeq() } satisfies WriterReply);
} catch (error) {
  port.postMessage({ id: 0, ok: false, error } satisfies WriterReply);
  port.close();
}

async function handle(request: WriterRequest): Promise<ApplyResult | number> {
  switch (request.op) {
    case 'apply':
      return model.applySync(JSON.parse(request.eventsJson) as EngineEvent[], request.throughSeq);
    case 'reset':
      await model.reset();
      return 0;
    case 'close':
      await model.close();
      return 0;
  }
}

// One request at a time, in arrival order (reset and close are async in form).
let queue: Promise<void> = Promise.resolve();
port.on('message', (request: WriterRequest) => {
  queue = queue.then(async () => {
    let reply: WriterReply;
    try {
      reply = { id: request.id, ok: true, result: await handle(request) };
    } catch (error) {
      reply = { id: request.id, ok: false, error };
    }
    port.postMessage(reply);
    if (request.op === 'close') port.close();
  });
});
