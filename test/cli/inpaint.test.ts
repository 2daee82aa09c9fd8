import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../cli/index';
import { captureIo, decodeWav } from '../pipeline/support/capture-io';
import { scratchDir } from '../support/scratch-dir';

const TINY = join(__dirname, '../fixtures/tiny-bundle');
const FAST = ['--bundle', TINY, '--steps', '4', '--scheduler', 'ddim'];

describe('foley inpaint', () => {
  it('regenerates a region and continues a clip past its end', async () => {
    const dir = scratchDir('foley-inpaint-');
    const input = join(dir, 'in.wav');
    expect(await main(['generate', 'rain', ...FAST, '--duration', '1', '--seed', '1', '-o', input], captureIo())).toBe(0);
    const region = join(dir, 'region.wav');
    expect(await main(['inpaint', input, 'dog barking', ...FAST, '--start', '0.25', '--end', '0.5', '--seed', '2', '-o', region], captureIo())).toBe(0);
    expect(decodeWav(readFileSync(region)).channelData[0].length).toBe(16000);
    const longer = join(dir, 'longer.wav');
    expect(await main(['inpaint', input, 'rain', ...FAST, '--start', '1', '--end', '1.75', '--seed', '2', '-o', longer], captureIo())).toBe(0);
    expect(decodeWav(readFileSync(longer)).channelData[0].length).toBe(28000);
  });

  it('exits 2 when the region is empty or starts after the clip', async () => {
    const dir = scratchDir('foley-inpaint-');
    const input = join(dir, 'in.wav');
    expect(await main(['generate', 'rain', ...FAST, '--duration', '0.5', '--seed', '1', '-o', input], captureIo())).toBe(0);
    const io = captureIo();
    expect(await main(['inpaint', input, 'rain', ...FAST, '--start', '0.4', '--end', '0.2', '-o', `${dir}/`], io)).toBe(2);
    expect(io.err()).toMatch(/0 <= start < end/);
    const late = captureIo();
    expect(await main(['inpaint', input, 'rain', ...FAST, '--start', '3', '--end', '4', '-o', `${dir}/`], late)).toBe(2);
    expect(late.err()).toMatch(/start must be within/);
  });
});
