/**
 * NumPy `.npy` format version 1.0 for float32 arrays (numpy.lib.format): the magic `\x93NUMPY`, version bytes,
 * a little-endian uint16 header length, an ASCII dict literal padded with spaces and a newline so the data
 * starts on a 64-byte boundary, then the C-order data. Pure (bytes in, bytes out).
 */
import { InvalidArgumentError } from './errors';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Encodes a C-order float32 array of `shape` as `.npy` bytes (dtype '<f4'). */
export function encodeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  const size = shape.reduce((a, b) => a * b, 1);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0) || size !== data.length) {
    throw new InvalidArgumentError(`shape (${shape.join(', ')}) does not describe ${data.length} values`, shape);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = MAGIC.length + 2 + 2 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const headerBytes = new TextEncoder().encode(header);
  const out = new Uint8Array(10 + headerBytes.length + 4 * size);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, headerBytes.length, true);
  out.set(headerBytes, 10);
  const view = new DataView(out.buffer, 10 + headerBytes.length);
  for (let i = 0; i < size; i++) view.setFloat32(4 * i, data[i], true);
  return out;
}

/** Decodes `.npy` bytes holding a C-order '<f4' array (versions 1.0–3.0). */
export function decodeNpy(bytes: Uint8Array): { data: Float32Array; shape: number[] } {
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) throw new InvalidArgumentError('not a .npy file (no \\x93NUMPY magic)', bytes.length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = (major === 1 ? 10 : 12) + headerLength;
  if (start > bytes.length) throw new InvalidArgumentError(`.npy header length ${headerLength} runs past the file end`, headerLength);
  const header = new TextDecoder().decode(bytes.subarray(major === 1 ? 10 : 12, start));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr !== '<f4' || fortran !== 'False' || shapeText === undefined) {
    throw new InvalidArgumentError(`only C-order '<f4' .npy arrays are supported; header: ${header.trim()}`, header);
  }
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  const size = shape.reduce((a, b) => a * b, 1);
  if (start + 4 * size > bytes.length) throw new InvalidArgumentError(`.npy data holds ${(bytes.length - start) / 4} values; shape needs ${size}`, size);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = view.getFloat32(start + 4 * i, true);
  return { data, shape };
}
