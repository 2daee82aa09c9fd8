import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../cli/index';
import { captureIo, decodeWav } from '../pipeline/support/capture-io';
import { scratchDir } from '../support/scratch-dir';

const TINY = join(__dirname, '../fixtures/tiny-bundle');
const FAST = ['--bundle', TINY, '--steps', '4', '--scheduler', 'ddim'];

describe('foley vary', () => {
  it('varies a WAV file, keeps its length, and reports the strength in --json', async () => {
    const dir = scratchDir('foley-vary-');
    const input = join(dir, 'in.wav');
    expect(await main(['generate', 'glass breaking', ...FAST, '--duration', '0.63', '--seed', '1', '-o', input], captureIo())).toBe(0);
    const io = captureIo();
    const output = join(dir, 'out.wav');
    expect(await main(['vary', input, 'a door slam', ...FAST, '--strength', '0.5', '--seed', '3', '-o', output, '--json'], io)).toBe(0);
    expect(decodeWav(readFileSync(output)).channelData[0].length).toBe(decodeWav(readFileSync(input)).channelData[0].length);
    expect(JSON.parse(io.out().toString())).toMatchObject({ strength: 0.5, seed: 3, files: [output] });
    expect(readFileSync(output).equals(readFileSync(input))).toBe(false);
  });

  it('exits 2 on a bad strength or an unreadable input, leaving no file', async () => {
    const dir = scratchDir('foley-vary-');
    const io = captureIo();
    expect(await main(['vary', join(dir, 'missing.wav'), 'glass', ...FAST, '-o', `${dir}/`], io)).toBe(2);
    expect(io.err()).toMatch(/cannot read .*missing\.wav/);
    const bad = captureIo();
    expect(await main(['vary', join(dir, 'missing.wav'), 'glass', ...FAST, '--strength', '0', '-o', `${dir}/`], bad)).toBe(2);
    expect(bad.err()).toMatch(/--strength must be within/);
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, 'glass-vary-0.wav'))).toBe(false);
  });
});
