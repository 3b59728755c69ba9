import type { Command } from '../../domain/commands.ts';
import { decodeCommand, encodeCommandTransient } from '../../sequencer/command-codec.ts';

/** seq (f64), ts (f64), payload length (u32), then the payload: the command as the journal encodes it. */
const FRAME_HEADER_BYTES = 20;

/** Sequenced commands packed into one buffer, to cross to another thread in a single message. */
export class CommandFrameWriter {
  #buffer = new Uint8Array(64 * 1024);
  #view = new DataView(this.#buffer.buffer);
  #used = 0;

  get byteLength(): number {
    return this.#used;
  }

  add(command: Command): void {
    const payload = encodeCommandTransient(command);
    this.#reserve(FRAME_HEADER_BYTES + payload.length);
    const at = this.#used;
    this.#view.setFloat64(at, command.seq, true);
    this.#view.setFloat64(at + 8, command.ts, true);
    this.#view.setUint32(at + 16, payload.length, true);
    this.#buffer.set(payload, at + FRAME_HEADER_BYTES);
    this.#used = at + FRAME_HEADER_BYTES + payload.length;
  }

  /** The frames added since the last take, as a copy the caller owns. */
  take(): Uint8Array {
    const frames = this.#buffer.slice(0, this.#used);
    this.#used = 0;
    return frames;
  }

  #reserve(bytes: number): void {
    if (this.#used + bytes <= this.#buffer.length) return;
    const grown = new Uint8Array(Math.max(this.#buffer.length * 2, this.#used + bytes));
    grown.set(this.#buffer.subarray(0, this.#used));
    this.#buffer = grown;
    this.#view = new DataView(grown.buffer);
  }
}

/** Calls `apply` with each command of `frames`, in order. */
export function forEachCommand(frames: Uint8Array, apply: (command: Command) => void): void {
  const view = new DataView(frames.buffer, frames.byteOffset, frames.byteLength);
  let at = 0;
  while (at < frames.length) {
    if (at + FRAME_HEADER_BYTES > frames.length) throw new RangeError(`truncated frame header at ${at}`);
    const seq = view.getFloat64(at, true);
    const ts = view.getFloat64(at + 8, true);
    const length = view.getUint32(at + 16, true);
    const start = at + FRAME_HEADER_BYTES;
    if (start + length > frames.length) throw new RangeError(`truncated frame payload at ${at}`);
    apply(decodeCommand(frames.subarray(start, start + length), seq, ts));
    at = start + length;
  }
}
