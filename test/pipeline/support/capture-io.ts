import { Writable } from 'node:stream';
import wav from 'node-wav';
import type { CliIo } from '../../../cli/index';

/** Streams for `main(args, io)` that keep what a command writes; `tty` sets `isTTY` on both. */
export function captureIo(tty = false): CliIo & { out: () => Buffer; err: () => string } {
  const chunks: { out: Buffer[]; err: Buffer[] } = { out: [], err: [] };
  const sink = (into: Buffer[]) =>
    Object.assign(new Writable({ write(chunk, _enc, done) { into.push(Buffer.from(chunk)); done(); } }), { isTTY: tty });
  return { stdout: sink(chunks.out), stderr: sink(chunks.err), out: () => Buffer.concat(chunks.out), err: () => Buffer.concat(chunks.err).toString() };
}

/** Decodes WAV bytes (exact-size copy: node-wav misreads pooled Buffers). */
export function decodeWav(bytes: Buffer): { sampleRate: number; channelData: Float32Array[] } {
  return wav.decode(Buffer.from(Uint8Array.prototype.slice.call(bytes))) as { sampleRate: number; channelData: Float32Array[] };
}
