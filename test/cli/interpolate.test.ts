import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../cli/index';
import { captureIo } from '../pipeline/support/capture-io';
import { scratchDir } from '../support/scratch-dir';

const TINY = join(__dirname, '../fixtures/tiny-bundle');
const FAST = ['--bundle', TINY, '--steps', '3', '--scheduler', 'ddim', '--duration', '0.3'];

describe('foley interpolate', () => {
  it('writes --count clips between two prompts into a folder and lists them in --json', async () => {
    const dir = scratchDir('foley-interp-');
    const io = captureIo();
    expect(await main(['interpolate', 'glass breaking', 'dog barking', ...FAST, '--count', '3', '--seed', '4', '--seed-b', '5', '-o', `${dir}/`, '--json'], io)).toBe(0);
    const summary = JSON.parse(io.out().toString());
    expect(summary).toMatchObject({ seed: 4, seedB: 5 });
    expect(summary.files).toHaveLength(3);
    expect(readdirSync(dir).sort()).toEqual(['glass-breaking-to-dog-barking-4-1.wav', 'glass-breaking-to-dog-barking-4-2.wav', 'glass-breaking-to-dog-barking-4-3.wav']);
  });

  it('exits 2 on a bad --count', async () => {
    const io = captureIo();
    expect(await main(['interpolate', 'a', 'b', ...FAST, '--count', '1'], io)).toBe(2);
    expect(io.err()).toMatch(/--count must be an integer from 2 to 64/);
  });
});
