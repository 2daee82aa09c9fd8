/**
 * RIFF/WAVE decoding and encoding over bytes (pure: no I/O, usable in browsers).
 *
 * Reads PCM integer (8-bit unsigned; 16/24/32-bit signed, any bit depth up to 32 left-justified in its
 * container) and IEEE float (32/64-bit), any channel count, plain and WAVE_FORMAT_EXTENSIBLE headers, odd-sized
 * chunks with or without their pad byte, and skips chunks it does not need. Everything else is a
 * `WavFormatError` that says what is wrong and what to do: the decoder never returns NaN, never allocates more
 * than a few times the input's byte length, and always finishes (each chunk step advances at least 8 bytes).
 *
 * Integer samples decode as `value / 2^(bits - 1)` (8-bit: `(value - 128) / 128`), the convention of libsndfile
 * and torchaudio, so they lie in [-1, 1). Encoding is the inverse, `round(x * 2^(bits - 1))` (Math.round, no
 * dither) clipped to the integer range, so every decoded integer sample re-encodes to itself.
 */
import { WavFormatError } from '../utils/errors';
import type { Hertz } from '../types/units';

/** The sample formats foley writes. */
export type WavSampleFormat = 'pcm16' | 'pcm24' | 'float32';

/** What a WAV file's `fmt ` chunk said. */
export interface WavFormatInfo {
  /** Format tag of the samples: 1 (PCM integer) or 3 (IEEE float); for extensible headers, the sub-format's. */
  formatTag: number;
  /** Whether the header was WAVE_FORMAT_EXTENSIBLE (tag 0xFFFE). */
  extensible: boolean;
  encoding: 'pcm' | 'float';
  /** Bits each sample occupies in the file (8, 16, 24, 32 or 64). */
  containerBits: number;
  /** Bits that carry signal (`bitsPerSample` of the header, or `wValidBitsPerSample` of an extensible one). */
  validBits: number;
  /** Speaker-position mask of an extensible header (0 when absent). */
  channelMask: number;
}

/** Decoded audio: one Float32Array per channel, plus the format it was stored in. */
export interface DecodedWav {
  sampleRate: Hertz;
  channelData: Float32Array[];
  format: WavFormatInfo;
}

export interface EncodeWavOptions {
  /** Sample format; default 'pcm16'. */
  format?: WavSampleFormat;
  /** Write a WAVE_FORMAT_EXTENSIBLE header (recommended by Microsoft for more than 2 channels or 24-bit); default false. */
  extensible?: boolean;
}

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID built from a format tag (00000000-0010-8000-00AA00389B71). */
const GUID_SUFFIX = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
/** A data size writers leave when they stream and cannot seek back: read to the end of the file. */
const STREAMING_SIZE = 0xffffffff;

const CODEC_NAMES: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'mu-law',
  0x0011: 'IMA ADPCM',
  0x0022: 'TrueSpeech',
  0x0031: 'GSM 6.10',
  0x0040: 'G.721 ADPCM',
  0x0050: 'MPEG audio',
  0x0055: 'MPEG Layer 3 (MP3)',
  0x0092: 'Dolby AC-3 SPDIF',
  0x00ff: 'AAC',
  0x0161: 'Windows Media Audio',
  0x2000: 'Dolby AC-3',
  0xf1ac: 'FLAC',
};

const CONVERT_HINT = 'convert it to PCM or float first, e.g. `sox IN.wav -e signed-integer -b 16 OUT.wav` or `ffmpeg -i IN -c:a pcm_s16le OUT.wav`';

/** Integer → float scales, 2^-(bits - 1): exact powers of two, so multiplying equals dividing. */
const SCALE_8 = 2 ** -7;
const SCALE_16 = 2 ** -15;
const SCALE_24 = 2 ** -23;
const SCALE_32 = 2 ** -31;

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function fail(message: string, value?: unknown): never {
  throw new WavFormatError(message, value);
}

function hex(tag: number): string {
  return `0x${tag.toString(16).toUpperCase().padStart(4, '0')}`;
}

function fourCc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

/** A chunk id as it can be printed: printable ASCII, otherwise hex bytes. */
function printableId(bytes: Uint8Array, at: number): string {
  const id = fourCc(bytes, at);
  return /^[\x20-\x7e]{4}$/.test(id) ? `"${id}"` : `0x${Array.from(bytes.subarray(at, at + 4), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function plausibleId(bytes: Uint8Array, at: number): boolean {
  if (at + 4 > bytes.length) return false;
  for (let i = at; i < at + 4; i++) if (bytes[i] < 0x20 || bytes[i] > 0x7e) return false;
  return true;
}

/** What a file that is not RIFF/WAVE probably is, from its first bytes. */
function describeMagic(bytes: Uint8Array): string {
  const magic = fourCc(bytes, 0);
  if (magic === 'RIFX') return 'a big-endian RIFX file, which foley does not read';
  if (magic === 'RF64' || magic === 'BW64') return `an ${magic} file (WAV over 4 GiB), which foley does not read`;
  if (magic === 'FORM') return 'an AIFF file';
  if (magic === 'fLaC') return 'a FLAC file';
  if (magic === 'OggS') return 'an Ogg file';
  if (magic.startsWith('ID3') || (bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0)) return 'an MP3 file';
  return `a file starting with ${printableId(bytes, 0)}, not "RIFF"`;
}

interface FmtChunk extends WavFormatInfo {
  channels: number;
  sampleRate: number;
  /** Bytes per frame used to step through the data chunk. */
  blockAlign: number;
}

function parseFmt(bytes: Uint8Array, view: DataView, at: number, size: number): FmtChunk {
  if (size < 16) fail(`the fmt chunk is ${size} bytes, a WAV fmt chunk needs at least 16: the header is corrupt; re-export the file`, size);
  const tag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const headerBlockAlign = view.getUint16(at + 12, true);
  const bits = view.getUint16(at + 14, true);
  let formatTag = tag;
  let validBits = bits;
  let channelMask = 0;
  const extensible = tag === WAVE_FORMAT_EXTENSIBLE;
  if (extensible) {
    if (size < 40) fail(`the WAVE_FORMAT_EXTENSIBLE fmt chunk is ${size} bytes, it needs 40: the header is corrupt; re-export the file`, size);
    validBits = view.getUint16(at + 18, true);
    channelMask = view.getUint32(at + 20, true);
    formatTag = view.getUint16(at + 24, true);
    for (let i = 0; i < GUID_SUFFIX.length; i++) {
      if (bytes[at + 26 + i] !== GUID_SUFFIX[i]) {
        const guid = Array.from(bytes.subarray(at + 24, at + 40), (b) => b.toString(16).padStart(2, '0')).join('');
        fail(`unsupported WAVE_FORMAT_EXTENSIBLE sub-format GUID ${guid} (not a PCM or float sub-format, e.g. Ambisonics or a vendor codec); ${CONVERT_HINT}`, guid);
      }
    }
  }
  if (formatTag !== WAVE_FORMAT_PCM && formatTag !== WAVE_FORMAT_IEEE_FLOAT) {
    const name = CODEC_NAMES[formatTag] ?? 'an unknown codec';
    fail(`unsupported WAV codec: ${name} (format tag ${hex(formatTag)}${extensible ? ' in an extensible header' : ''}); foley reads PCM integer and IEEE float WAV; ${CONVERT_HINT}`, formatTag);
  }
  if (channels === 0) fail('the fmt chunk says 0 channels: the header is corrupt; re-export the file', channels);
  if (sampleRate === 0) fail('the fmt chunk says a sample rate of 0 Hz: the header is corrupt; re-export the file', sampleRate);
  const encoding = formatTag === WAVE_FORMAT_PCM ? 'pcm' : 'float';
  if (encoding === 'float' && bits !== 32 && bits !== 64) fail(`IEEE float WAV with ${bits}-bit samples is not supported (only 32 and 64); ${CONVERT_HINT}`, bits);
  if (encoding === 'pcm' && (bits < 1 || bits > 32)) fail(`PCM WAV with ${bits}-bit samples is not supported (1 to 32 bits); ${CONVERT_HINT}`, bits);
  // The container is what the block align says (24-bit samples may sit in 32-bit containers), when consistent.
  let containerBytes = Math.ceil(bits / 8);
  if (headerBlockAlign % channels === 0) {
    const perSample = headerBlockAlign / channels;
    const fits = encoding === 'float' ? perSample === bits / 8 : perSample >= containerBytes && perSample <= 4;
    if (fits) containerBytes = perSample;
  }
  if (headerBlockAlign !== containerBytes * channels) {
    fail(`the fmt chunk's block align ${headerBlockAlign} does not fit ${channels} channel(s) of ${bits}-bit samples (expected ${containerBytes * channels}): the header is corrupt; re-export the file`, headerBlockAlign);
  }
  if (validBits === 0 || validBits > containerBytes * 8) validBits = Math.min(bits, containerBytes * 8);
  return { formatTag, extensible, encoding, containerBits: containerBytes * 8, validBits, channelMask, channels, sampleRate, blockAlign: headerBlockAlign };
}

/**
 * Decodes WAV bytes. Throws WavFormatError for anything that is not a complete PCM/float WAV with at least one
 * frame of finite samples.
 */
export function decodeWav(bytes: Uint8Array): DecodedWav {
  if (!(bytes instanceof Uint8Array)) fail('decodeWav needs the file bytes as a Uint8Array (or Buffer)', typeof bytes);
  const length = bytes.length;
  if (length < 12) fail(`truncated WAV header: ${length} bytes, a WAV file starts with at least 12 (RIFF, size, WAVE); the file is cut short or empty`, length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (fourCc(bytes, 0) !== 'RIFF') fail(`not a WAV file: this looks like ${describeMagic(bytes)}; ${CONVERT_HINT}`, fourCc(bytes, 0));
  if (fourCc(bytes, 8) !== 'WAVE') fail(`not a WAV file: a RIFF file of type ${printableId(bytes, 8)}, not "WAVE"`, fourCc(bytes, 8));

  let fmt: FmtChunk | undefined;
  let dataStart = -1;
  let dataSize = 0;
  let pos = 12;
  while (pos + 8 <= length && (fmt === undefined || dataStart < 0)) {
    const id = fourCc(bytes, pos);
    const size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    const remaining = length - body;
    if (id === 'data') {
      if (size > remaining && size !== STREAMING_SIZE) {
        fail(`truncated WAV data: the data chunk declares ${size} bytes but only ${remaining} follow; the file was cut short (re-export or re-download it)`, size);
      }
      dataStart = body;
      dataSize = Math.min(size, remaining);
    } else if (size > remaining) {
      fail(`truncated or corrupt WAV: chunk ${printableId(bytes, pos)} at byte ${pos} declares ${size} bytes but only ${remaining} follow${fmt === undefined ? ' (before the fmt chunk)' : ' (before the data chunk)'}; re-export the file`, size);
    } else if (id === 'fmt ' && fmt === undefined) {
      fmt = parseFmt(bytes, view, body, size);
    }
    // RIFF pads odd chunks to even length; some writers forget the pad byte, so take the position with a chunk id.
    let next = body + size;
    if (size % 2 === 1 && (plausibleId(bytes, next + 1) || !plausibleId(bytes, next))) next += 1;
    pos = next;
  }
  if (fmt === undefined) fail(dataStart < 0 ? 'not a usable WAV file: no fmt chunk and no data chunk; the file is truncated or corrupt' : 'not a usable WAV file: no fmt chunk describes the samples; the file is corrupt', length);
  if (dataStart < 0) fail('not a usable WAV file: no data chunk (the file holds a header but no audio); it is truncated or empty', length);

  const frames = Math.floor(dataSize / fmt.blockAlign);
  if (frames === 0) fail(`the WAV data chunk holds no audio (${dataSize} bytes, less than one ${fmt.blockAlign}-byte frame); the file is empty`, dataSize);
  const channelData = deinterleave(bytes, view, dataStart, frames, fmt);
  const { channels: _channels, sampleRate, blockAlign: _blockAlign, ...format } = fmt;
  return { sampleRate, channelData, format };
}

function deinterleave(bytes: Uint8Array, view: DataView, start: number, frames: number, fmt: FmtChunk): Float32Array[] {
  const channels = fmt.channels;
  const out: Float32Array[] = [];
  for (let c = 0; c < channels; c++) out.push(new Float32Array(frames));
  const count = frames * channels;
  const containerBytes = fmt.containerBits / 8;
  if (fmt.encoding === 'float') {
    const source = containerBytes === 4 ? typedView(bytes, view, start, count, 4, Float32Array) : typedView(bytes, view, start, count, 8, Float64Array);
    for (let f = 0, k = 0; f < frames; f++) for (let c = 0; c < channels; c++, k++) out[c][f] = source[k];
    for (let c = 0; c < channels; c++) {
      const target = out[c];
      for (let f = 0; f < frames; f++) {
        const v = target[f];
        // v - v is NaN for NaN and ±Infinity (float64 beyond float32's range becomes ±Infinity).
        if (v - v !== 0) {
          const what = Number.isNaN(source[f * channels + c]) ? 'NaN' : Number.isFinite(source[f * channels + c]) ? 'beyond the float32 range' : 'infinite';
          fail(`the WAV holds a sample that is ${what} (frame ${f}, channel ${c}): the file is corrupt; repair it or re-export it from its source`, source[f * channels + c]);
        }
      }
    }
    return out;
  }
  // Frame-major loops (read the interleaved source in order): several times faster in V8 than one strided
  // pass per channel.
  if (containerBytes === 1) {
    for (let f = 0, k = start; f < frames; f++) for (let c = 0; c < channels; c++, k++) out[c][f] = (bytes[k] - 128) * SCALE_8;
  } else if (containerBytes === 2) {
    const source = typedView(bytes, view, start, count, 2, Int16Array);
    for (let f = 0, k = 0; f < frames; f++) for (let c = 0; c < channels; c++, k++) out[c][f] = source[k] * SCALE_16;
  } else if (containerBytes === 3) {
    for (let f = 0, k = start; f < frames; f++) {
      for (let c = 0; c < channels; c++, k += 3) out[c][f] = (bytes[k] | (bytes[k + 1] << 8) | ((bytes[k + 2] << 24) >> 8)) * SCALE_24;
    }
  } else {
    const source = typedView(bytes, view, start, count, 4, Int32Array);
    for (let f = 0, k = 0; f < frames; f++) for (let c = 0; c < channels; c++, k++) out[c][f] = source[k] * SCALE_32;
  }
  return out;
}

type TypedArrayCtor<T> = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; new (length: number): T };

/** `count` little-endian values of `size` bytes from `start`: a view when aligned (fast), otherwise a copy. */
function typedView<T extends Int16Array | Int32Array | Float32Array | Float64Array>(bytes: Uint8Array, view: DataView, start: number, count: number, size: number, Ctor: TypedArrayCtor<T>): T {
  const offset = bytes.byteOffset + start;
  if (LITTLE_ENDIAN_HOST && offset % size === 0) return new Ctor(bytes.buffer, offset, count);
  if (LITTLE_ENDIAN_HOST) return new Ctor(bytes.slice(start, start + count * size).buffer, 0, count);
  const copy = new Ctor(count);
  for (let i = 0; i < count; i++) {
    const at = start + i * size;
    copy[i] = size === 2 ? view.getInt16(at, true) : size === 8 ? view.getFloat64(at, true) : Ctor === (Float32Array as unknown) ? view.getFloat32(at, true) : view.getInt32(at, true);
  }
  return copy;
}

const FORMAT_LAYOUT: Record<WavSampleFormat, { tag: number; bytes: number }> = {
  pcm16: { tag: WAVE_FORMAT_PCM, bytes: 2 },
  pcm24: { tag: WAVE_FORMAT_PCM, bytes: 3 },
  float32: { tag: WAVE_FORMAT_IEEE_FLOAT, bytes: 4 },
};

/** Default speaker masks for extensible headers: mono = front centre, stereo = front left + right, else unassigned. */
function defaultChannelMask(channels: number): number {
  return channels === 1 ? 0x4 : channels === 2 ? 0x3 : 0;
}

/**
 * Encodes channels (equal lengths, at least one frame) as WAV bytes. Integer formats round (Math.round, no
 * dither) and clip to the integer range; float32 stores the values as they are (they may exceed ±1).
 * Non-finite samples are refused with a WavFormatError.
 */
export function encodeWav(channels: readonly Float32Array[], sampleRate: Hertz, options: EncodeWavOptions = {}): Uint8Array {
  const format = options.format ?? 'pcm16';
  const layout = FORMAT_LAYOUT[format];
  if (layout === undefined) fail(`unknown WAV sample format "${String(format)}": use one of ${Object.keys(FORMAT_LAYOUT).join(', ')}`, format);
  const count = channels.length;
  if (count < 1 || count > 65535) fail(`a WAV file holds 1 to 65535 channels, got ${count}`, count);
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > 0xffffffff) fail(`a WAV sample rate must be a whole number of Hz from 1 to 4294967295, got ${sampleRate}`, sampleRate);
  const frames = channels[0].length;
  for (let c = 1; c < count; c++) if (channels[c].length !== frames) fail(`all channels must have the same length: channel 0 has ${frames} samples, channel ${c} has ${channels[c].length}`, channels[c].length);
  if (frames === 0) fail('no samples to write: a WAV file needs at least one frame', frames);
  const extensible = options.extensible ?? false;
  const blockAlign = count * layout.bytes;
  const isFloat = layout.tag === WAVE_FORMAT_IEEE_FLOAT;
  const fmtSize = extensible ? 40 : isFloat ? 18 : 16;
  // Non-PCM formats carry a fact chunk with the frame count (RIFF spec; libsndfile writes it too).
  const factSize = isFloat ? 12 : 0;
  // A 2-byte JUNK chunk puts plain float data on a 4-byte boundary (offset 68, not 58): readers that view the
  // data as a Float32Array in place (node-wav among them) need that.
  const junkSize = isFloat && !extensible ? 10 : 0;
  const dataStart = 12 + 8 + fmtSize + factSize + junkSize + 8;
  const dataBytes = frames * blockAlign;
  if (dataStart + dataBytes + (dataBytes % 2) > 0xffffffff) fail(`${frames} frames of ${count} channel(s) exceed the 4 GiB limit of a RIFF WAV file; write shorter pieces`, frames);
  const out = new Uint8Array(dataStart + dataBytes + (dataBytes % 2));
  const view = new DataView(out.buffer);
  const ascii = (at: number, text: string): void => {
    for (let i = 0; i < 4; i++) out[at + i] = text.charCodeAt(i);
  };

  ascii(0, 'RIFF');
  view.setUint32(4, out.length - 8, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, fmtSize, true);
  view.setUint16(20, extensible ? WAVE_FORMAT_EXTENSIBLE : layout.tag, true);
  view.setUint16(22, count, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, layout.bytes * 8, true);
  if (fmtSize >= 18) view.setUint16(36, fmtSize - 18, true);
  if (extensible) {
    view.setUint16(38, layout.bytes * 8, true);
    view.setUint32(40, defaultChannelMask(count), true);
    view.setUint16(44, layout.tag, true);
    out.set(GUID_SUFFIX, 46);
  }
  let at = 20 + fmtSize;
  if (isFloat) {
    ascii(at, 'fact');
    view.setUint32(at + 4, 4, true);
    view.setUint32(at + 8, frames, true);
    at += 12;
  }
  if (junkSize > 0) {
    ascii(at, 'JUNK');
    view.setUint32(at + 4, junkSize - 8, true);
    at += junkSize;
  }
  ascii(at, 'data');
  view.setUint32(at + 4, dataBytes, true);

  // Frame-major loops; rounding is floor(x·2^(b-1) + 0.5) (Math.round's half-up rule) done as a clamp of the
  // offset value and a truncation, which V8 runs an order of magnitude faster than Math.round.
  if (format === 'pcm16') {
    const pcm = sampleView(out, dataStart, frames * count, Int16Array);
    for (let f = 0, k = 0; f < frames; f++) {
      for (let c = 0; c < count; c++, k++) {
        const x = channels[c][f];
        if (x - x !== 0) nonFinite(x, f, c);
        let v = x * 32768 + 32768.5;
        v = v > 65535 ? 65535 : v < 0 ? 0 : v;
        pcm[k] = (v | 0) - 32768;
      }
    }
    if (pcm.buffer !== out.buffer) writeLittleEndian(out, view, dataStart, pcm);
  } else if (format === 'pcm24') {
    for (let f = 0, k = dataStart; f < frames; f++) {
      for (let c = 0; c < count; c++, k += 3) {
        const x = channels[c][f];
        if (x - x !== 0) nonFinite(x, f, c);
        let v = x * 8388608 + 8388608.5;
        v = v > 16777215 ? 16777215 : v < 0 ? 0 : v;
        const code = (v | 0) - 8388608;
        out[k] = code & 0xff;
        out[k + 1] = (code >> 8) & 0xff;
        out[k + 2] = (code >> 16) & 0xff;
      }
    }
  } else {
    const samples = sampleView(out, dataStart, frames * count, Float32Array);
    for (let f = 0, k = 0; f < frames; f++) {
      for (let c = 0; c < count; c++, k++) {
        const x = channels[c][f];
        if (x - x !== 0) nonFinite(x, f, c);
        samples[k] = x;
      }
    }
    if (samples.buffer !== out.buffer) writeLittleEndian(out, view, dataStart, samples);
  }
  return out;
}

/** Where encoded samples go: a view on the output when the host is little-endian and the offset aligned, else a scratch array. */
function sampleView<T extends Int16Array | Float32Array>(out: Uint8Array, at: number, count: number, Ctor: TypedArrayCtor<T>): T {
  const size = Ctor === (Int16Array as unknown) ? 2 : 4;
  return LITTLE_ENDIAN_HOST && at % size === 0 ? new Ctor(out.buffer, at, count) : new Ctor(count);
}

function nonFinite(value: number, frame: number, channel: number): never {
  fail(`cannot encode a non-finite sample (${value}) at frame ${frame}, channel ${channel}`, value);
}

function writeLittleEndian(out: Uint8Array, view: DataView, at: number, values: Int16Array | Float32Array): void {
  if (LITTLE_ENDIAN_HOST) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), at);
    return;
  }
  const size = values.BYTES_PER_ELEMENT;
  for (let i = 0; i < values.length; i++) {
    if (values instanceof Int16Array) view.setInt16(at + i * size, values[i], true);
    else view.setFloat32(at + i * size, values[i], true);
  }
}

/** A one-line description of a decoded format: "PCM 16-bit integer", "IEEE float 32-bit (extensible)", ... */
export function describeWavFormat(format: WavFormatInfo): string {
  const bits = format.validBits !== format.containerBits ? `${format.validBits}-bit in ${format.containerBits}-bit containers` : `${format.containerBits}-bit`;
  const kind = format.encoding === 'pcm' ? `PCM ${bits} integer` : `IEEE float ${bits}`;
  return `${kind} (format tag ${hex(format.formatTag)}${format.extensible ? ', WAVE_FORMAT_EXTENSIBLE' : ''})`;
}
