import type { Argv, CommandModule } from 'yargs';
import { readWav } from '../../src/audio/wav-file';
import { describeWavFormat } from '../../src/audio/wav';
import { cliIo } from '../index';

interface InfoArgs {
  file: string;
  json: boolean;
}

/** What `foley info --json` prints: one object; non-finite levels (silence) are null. */
export interface WavInfo {
  file: string;
  format: string;
  formatTag: number;
  encoding: 'pcm' | 'float';
  bitsPerSample: number;
  validBitsPerSample: number;
  extensible: boolean;
  sampleRate: number;
  channels: number;
  frames: number;
  durationSeconds: number;
  peakDbfs: number | null;
  loudnessLufs: number | null;
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** `foley info FILE.wav [--json]`: format, rate, channels, duration, sample peak and integrated loudness. */
export const infoCommand: CommandModule<object, InfoArgs> = {
  command: 'info <file>',
  describe: 'Show a WAV file\'s format, sample rate, channels, duration, peak (dBFS) and loudness (LUFS, ITU-R BS.1770-4)',
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('file', { type: 'string', demandOption: true, describe: 'WAV file: PCM 8/16/24/32-bit or float 32/64-bit, any channel count' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON object instead of text' })
      .example('$0 info dog.wav', 'format, duration, peak and loudness')
      .example('$0 info dog.wav --json', 'the same as JSON (levels of silence are null)') as Argv<InfoArgs>,
  handler: async (args) => {
    const io = cliIo();
    // yargs' fail handler in cli/index.ts records a missing positional but still runs the handler: leave it.
    if (typeof args.file !== 'string') return;
    // 1. Decode (a WavFormatError, exit 2, for unreadable or corrupt files). 2. Measure. 3. Print.
    const audio = await readWav(args.file);
    const format = audio.source!;
    const info: WavInfo = {
      file: args.file,
      format: describeWavFormat(format),
      formatTag: format.formatTag,
      encoding: format.encoding,
      bitsPerSample: format.containerBits,
      validBitsPerSample: format.validBits,
      extensible: format.extensible,
      sampleRate: audio.sampleRate,
      channels: audio.numberOfChannels,
      frames: audio.length,
      durationSeconds: audio.duration,
      peakDbfs: finiteOrNull(audio.peakDb()),
      loudnessLufs: finiteOrNull(audio.loudness()),
    };
    if (args.json) {
      io.stdout.write(`${JSON.stringify(info)}\n`);
      return;
    }
    const level = (v: number | null, unit: string, none: string) => (v === null ? none : `${v.toFixed(1)} ${unit}`);
    const rows: [string, string][] = [
      ['file', info.file],
      ['format', info.format],
      ['sample rate', `${info.sampleRate} Hz`],
      ['channels', String(info.channels)],
      ['duration', `${info.durationSeconds.toFixed(3)} s (${info.frames} frames)`],
      ['peak', level(info.peakDbfs, 'dBFS', 'silent (-inf dBFS)')],
      ['loudness', level(info.loudnessLufs, 'LUFS (integrated, ITU-R BS.1770-4)', info.durationSeconds < 0.4 ? 'n/a (shorter than one 400 ms block)' : 'silent (below the -70 LUFS gate)')],
    ];
    io.stdout.write(rows.map(([k, v]) => `${k.padEnd(12)}${v}\n`).join(''));
  },
};
