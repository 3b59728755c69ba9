import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { anyCommand } from '../../test/support/random-commands.ts';
import type { UnstampedCommand } from '../domain/commands.ts';
import { decodeCommand, encodeCommand } from './command-codec.ts';

/** Undefined and absent fields are the same to the engine; JSON makes them the same here too. */
const plain = (command: object) => JSON.parse(JSON.stringify(command)) as UnstampedCommand;

const roundTrip = (command: UnstampedCommand) => {
  const { seq, ts, ...body } = decodeCommand(encodeCommand(command), 7, 1_700_000_000_000);
  assert.deepEqual([seq, ts], [7, 1_700_000_000_000]);
  return plain(body);
};

describe('command codec', () => {
  it('gives back every command exactly, binary or JSON', () => {
    fc.assert(
      fc.property(anyCommand, (command) => assert.deepEqual(roundTrip(command), plain(command))),
      { numRuns: 2000 },
    );
  });

  it('uses the compact binary form for plain orders and cancels', () => {
    const order: UnstampedCommand = {
      type: 'PlaceOrder',
      userId: 12,
      symbol: 'BTCUSDT',
      side: 'SELL',
      orderType: 'LIMIT',
      timeInForce: 'IOC',
      price: 3_000_000_000_000,
      quantity: 10_000,
      clientOrderId: 'my-1',
      stpMode: 'EXPIRE_BOTH',
    };
    const encoded = encodeCommand(order);
    assert.equal(encoded[0], 1);
    assert.ok(encoded.length < 60);
    assert.deepEqual(roundTrip(order), order);
    const cancel: UnstampedCommand = { type: 'CancelOrder', userId: 3, symbol: 'ETHBTC', clientOrderId: 'x' };
    assert.equal(encodeCommand(cancel)[0], 2);
    assert.deepEqual(roundTrip(cancel), cancel);
  });

  it('falls back to JSON for whatever the binary form cannot hold, so malformed input replays as it came', () => {
    const odd = [
      { type: 'PlaceOrder', userId: 1, symbol: 'BTCUSDT', side: 'HOLD', orderType: 'LIMIT' },
      { type: 'PlaceOrder', userId: '1', symbol: 'BTCUSDT', side: 'BUY', orderType: 'LIMIT' },
      { type: 'PlaceOrder', userId: 1, symbol: 'BTCUSDT', side: 'BUY', orderType: 'LIMIT', price: '5' },
      { type: 'PlaceOrder', userId: 1, symbol: 'BTCUSDT', side: 'BUY', orderType: 'LIMIT', extra: true },
      { type: 'PlaceOrder', userId: 1, symbol: 'BTC€', side: 'BUY', orderType: 'MARKET', quantity: 1 },
      { type: 'CancelOrder', userId: 1, symbol: 'BTCUSDT', clientOrderId: 'é' },
      { type: 'PlaceOrder', userId: 1.5, symbol: 'BTCUSDT', side: 'BUY', orderType: 'LIMIT', price: -0.25 },
    ] as unknown as UnstampedCommand[];
    for (const command of odd) assert.deepEqual(roundTrip(command), command);
    assert.equal(encodeCommand(odd[0]!)[0], 0x7b);
  });
});
