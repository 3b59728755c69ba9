import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import {
  type BenchOp,
  FUNDING_BASE,
  FUNDING_QUOTE,
  LOT,
  MAKER_FEE_PPM,
  MID_TICKS,
  TAKER_FEE_PPM,
  type Workload,
} from './workloads.ts';

/**
 * Writes a workload in the text format the exchange-core harness reads (see its Workload.java): a
 * header, then one operation a line, prices in ticks and sizes in lots. exchange-core charges fees in
 * quote units per lot, so ours (parts per million of what each side receives) become that rate at
 * the mid price.
 */
export async function writeWorkloadFile(workload: Workload, path: string): Promise<void> {
  const out = createWriteStream(path);
  const header = [
    'bourse-engine-workload 1',
    `name ${workload.name}`,
    `accounts ${workload.accounts}`,
    `funding ${FUNDING_BASE / LOT} ${FUNDING_QUOTE}`,
    `fees ${(MID_TICKS * TAKER_FEE_PPM) / 1e6} ${(MID_TICKS * MAKER_FEE_PPM) / 1e6}`,
    `range ${workload.minPriceTicks} ${workload.maxPriceTicks}`,
    `ops ${workload.ops.length}`,
  ];
  let chunk = `${header.join('\n')}\n`;
  for (const op of workload.ops) {
    chunk += `${line(op)}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

function line(op: BenchOp): string {
  const side = (s: string) => (s === 'BUY' ? 'B' : 'S');
  switch (op.kind) {
    case 'limit':
      return `L ${op.userId} ${op.id} ${side(op.side)} ${op.priceTicks} ${op.lots} ${op.tif === 'IOC' ? 'I' : 'G'}`;
    case 'market':
      return `M ${op.userId} ${op.id} ${side(op.side)} ${op.lots}`;
    case 'cancel':
      return `C ${op.userId} ${op.id}`;
    case 'move':
      return `V ${op.userId} ${op.id} ${op.priceTicks}`;
    case 'reduce':
      return `R ${op.userId} ${op.id} ${op.byLots}`;
  }
}
