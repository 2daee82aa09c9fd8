import type { Argv, CommandModule } from 'yargs';
import { LogMel } from '../../src/dsp/log-mel';
import { encodeNpy } from '../../src/utils/npy';
import { encodePng } from '../../src/utils/png';
import { renderSpectrogram } from '../../src/utils/spectrogram-image';
import { InvalidArgumentError } from '../../src/utils/errors';
import { cliIo } from '../index';
import { checkOutputPath, readMonoAt, writeFileAtomic } from '../dsp-io';

interface MelArgs {
  file: string;
  out?: string;
  png?: string;
  force: boolean;
}

/** `foley mel FILE.wav [--out mel.npy] [--png mel.png]`: the AudioLDM log-mel as NumPy array and/or picture. */
export const melCommand: CommandModule<object, MelArgs> = {
  command: 'mel <file>',
  describe: 'Compute the log-mel spectrogram the models see (16 kHz, 64 Slaney mels, hop 160): .npy and/or .png',
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('file', { type: 'string', demandOption: true, describe: 'input WAV file (any rate and channel count; downmixed, resampled to 16 kHz)' })
      .option('out', { type: 'string', describe: 'write the log-mel as a NumPy .npy file, float32, shape (64, frames)' })
      .option('png', { type: 'string', describe: 'write a picture with a colour map, Hz and seconds axes' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite existing output files' })
      .example('$0 mel dog.wav --out dog.npy --png dog.png', 'log-mel as array and picture')
      .example('python3 -c "import numpy; print(numpy.load(\'dog.npy\').shape)"', 'read it from Python: (64, frames)') as Argv<MelArgs>,
  handler: async (args) => {
    const io = cliIo();
    if (args.out === undefined && args.png === undefined) throw new InvalidArgumentError('name an output: --out mel.npy and/or --png mel.png', args);
    const front = new LogMel();
    const npyPath = args.out === undefined ? undefined : checkOutputPath(args.out, args.file, args.force, '--out');
    const pngPath = args.png === undefined ? undefined : checkOutputPath(args.png, args.file, args.force, '--png');
    if (npyPath !== undefined && npyPath === pngPath) throw new InvalidArgumentError('--out and --png name the same file', args.out);

    // 1. Read, downmix, resample to 16 kHz. 2. Log-mel.
    const samples = await readMonoAt(args.file, front.options.sampleRate);
    const { data, nMels, frames } = front.compute(samples);

    // 3. Write what was asked for, each atomically.
    if (npyPath !== undefined) writeFileAtomic(npyPath, encodeNpy(data, [nMels, frames]));
    if (pngPath !== undefined) {
      const o = front.options;
      const image = renderSpectrogram({ data, nMels, frames, frameSeconds: o.hopLength / o.sampleRate, fMin: o.fMin, fMax: o.fMax, melScale: o.melScale });
      writeFileAtomic(pngPath, encodePng(image.pixels, image.width, image.height));
    }
    const written = [args.out, args.png].filter((p) => p !== undefined).join(' and ');
    io.stdout.write(`log-mel ${nMels} × ${frames} frames (${(samples.length / front.options.sampleRate).toFixed(2)} s): wrote ${written}\n`);
  },
};
