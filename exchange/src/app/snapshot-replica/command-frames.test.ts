import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Command } from '../../domain/commands.ts';
import { CommandFrameWriter, forEachCommand } from './command-frames.ts';

const place: Command = {
  type: 'PlaceOrder',
  seq: 41,
  ts: 1_700_000_000_123,
  userId: 7,
  symbol: 'BTCUSDT',
  side: 'BUY',
  orderType: 'LIMIT',
  timeInForce: 'GTC',
  price: 60_000_000_000,
  quantity: 1_000_000,
};
const cancel: Command = {
  type: 'CancelOrder',
  seq: 42,
  ts: 1_700_000_000_124,
  userId: 7,
  symbol: 'BTCUSDT',
  orderId: 9,
};
const deposit: Command = {
  type: 'Deposit',
  seq: 43,
  ts: 1_700_000_000_125,
  userId: 7,
  asset: 'BTC',
  amount: 5,
};

it('frames sequenced commands and reads them back in order, seq and ts included', () => {
  const writer = new CommandFrameWriter();
  for (const command of [place, cancel, deposit]) writer.add(command);
  const read: Command[] = [];
  forEachCommand(writer.take(), (command) => read.push(command));
  // The binary forms decode absent optional fields as undefined, as the journal's reader does.
  assert.deepEqual(JSON.parse(JSON.stringify(read)), [place, cancel, deposit]);
  assert.equal(writer.byteLength, 0);
});

it('encodes orders and cancels in the binary form, as the journal does, not as JSON', () => {
  const writer = new CommandFrameWriter();
  writer.add(place);
  assert.ok(writer.byteLength < 64, `a framed order took ${writer.byteLength} bytes`);
  writer.take();
  writer.add(cancel);
  assert.ok(writer.byteLength < 48, `a framed cancel took ${writer.byteLength} bytes`);
});

it('grows past its first buffer without losing a frame', () => {
  const writer = new CommandFrameWriter();
  const commands = Array.from(
    { length: 5_000 },
    (_, i): Command => ({ ...deposit, seq: i + 1, amount: i + 1 }),
  );
  for (const command of commands) writer.add(command);
  let count = 0;
  forEachCommand(writer.take(), (command) => {
    assert.deepEqual(command, commands[count]);
    count++;
  });
  assert.equal(count, commands.length);
});

it('refuses a truncated frame', () => {
  const writer = new CommandFrameWriter();
  writer.add(place);
  const frames = writer.take();
  assert.throws(() => forEachCommand(frames.subarray(0, frames.length - 1), () => {}), RangeError);
});
