import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWav, writeWav } from '../../src/audio/wav-file';
import { RawAudio } from '../../src/audio/raw-audio';
import { OutputPathError, WavFormatError } from '../../src/utils/errors';

describe('readWav / writeWav', () => {
  let dir: string;
  const audio = new RawAudio([Float32Array.from([0.5, -0.25, 0]), Float32Array.from([0, 0.125, -1])], 22050);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'foley-wav-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('writes and reads back each format', async () => {
    for (const format of ['pcm16', 'pcm24', 'float32'] as const) {
      const path = join(dir, `${format}.wav`);
      await writeWav(path, audio, { format });
      const back = await readWav(path);
      expect(back.sampleRate).toBe(22050);
      expect(back.channelData.map((c) => Array.from(c))).toEqual(audio.channelData.map((c) => Array.from(c)));
      expect(back.source?.containerBits).toBe(format === 'pcm16' ? 16 : format === 'pcm24' ? 24 : 32);
    }
    // Nothing but the three files: no temporary files left behind.
    expect(readdirSync(dir).sort()).toEqual(['float32.wav', 'pcm16.wav', 'pcm24.wav']);
  });

  test('refuses to overwrite without force, and leaves the file untouched', async () => {
    const path = join(dir, 'out.wav');
    writeFileSync(path, 'precious');
    await expect(writeWav(path, audio)).rejects.toThrow(OutputPathError);
    await expect(writeWav(path, audio)).rejects.toThrow(/out\.wav exists: pass force \(--force\) to overwrite it/);
    expect(readFileSync(path, 'utf8')).toBe('precious');
    await writeWav(path, audio, { force: true });
    expect((await readWav(path)).length).toBe(3);
    expect(readdirSync(dir)).toEqual(['out.wav']);
  });

  test('encoding errors happen before anything touches the disk', async () => {
    const path = join(dir, 'bad.wav');
    await expect(writeWav(path, { channelData: [Float32Array.from([NaN])], sampleRate: 8000 })).rejects.toThrow(WavFormatError);
    expect(readdirSync(dir)).toEqual([]);
  });

  test('a missing folder or a folder as target is an OutputPathError, with no temporary file left', async () => {
    await expect(writeWav(join(dir, 'nope', 'x.wav'), audio)).rejects.toThrow(/cannot write .*x\.wav: the folder .*nope does not exist/);
    mkdirSync(join(dir, 'sub'));
    await expect(writeWav(join(dir, 'sub'), audio, { force: true })).rejects.toThrow(/it is a folder/);
    expect(readdirSync(dir)).toEqual(['sub']);
  });

  test('an unwritable folder leaves nothing behind', async () => {
    if (process.getuid?.() === 0) return; // root writes anywhere: nothing to check
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    await expect(writeWav(join(locked, 'x.wav'), audio)).rejects.toThrow(/permission denied/);
    chmodSync(locked, 0o700);
    expect(readdirSync(locked)).toEqual([]);
  });

  test('readWav names the path in its errors', async () => {
    await expect(readWav(join(dir, 'missing.wav'))).rejects.toThrow(/cannot read .*missing\.wav: no such file/);
    await expect(readWav(dir)).rejects.toThrow(/it is a folder/);
    writeFileSync(join(dir, 'text.wav'), 'hello, this is not audio');
    await expect(readWav(join(dir, 'text.wav'))).rejects.toThrow(/text\.wav: not a WAV file/);
    expect(existsSync(join(dir, 'text.wav'))).toBe(true);
  });
});
