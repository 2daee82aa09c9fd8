import { cpSync} from 'node:fs';
import { join } from 'node:path';
import { main } from '../../cli/index';
import { captureIo } from '../pipeline/support/capture-io';
import { editJson } from '../support/json-file';
import { scratchDir } from '../support/scratch-dir';

const TINY = join(__dirname, '../fixtures/tiny-bundle');

describe('foley models', () => {
  const root = scratchDir('foley-models-');
  cpSync(TINY, join(root, 'tiny'), { recursive: true });

  it('lists the bundles in a models folder', async () => {
    const io = captureIo();
    expect(await main(['models', '--dir', root], io)).toBe(0);
    expect(io.out().toString()).toMatch(/^tiny {2}16000 Hz, 12 classes, \d+ words/);
  });

  it('shows a bundle summary, its model card and its vocabulary', async () => {
    const io = captureIo();
    expect(await main(['models', 'tiny', '--dir', root], io)).toBe(0);
    expect(io.out().toString()).toMatch(/defaults: 4 steps, guidance 3, DPMSolverMultistepScheduler/);
    // A bundle with a guidance interval says so.
    editJson(join(root, 'tiny/model_index.json'), (j) => (j.defaults.guidance_stop = 0.5));
    const interval = captureIo();
    expect(await main(['models', 'tiny', '--dir', root], interval)).toBe(0);
    expect(interval.out().toString()).toMatch(/defaults: 4 steps, guidance 3 over steps 0–0.5, DPMSolverMultistepScheduler/);
    const card = captureIo();
    expect(await main(['models', 'tiny', '--dir', root, '--card'], card)).toBe(0);
    expect(card.out().toString()).toMatch(/^# tiny-random/);
    const vocabulary = captureIo();
    expect(await main(['models', 'tiny', '--dir', root, '--vocabulary'], vocabulary)).toBe(0);
    expect(vocabulary.out().toString()).toMatch(/classes \(12\): guitar, cello/);
    expect(vocabulary.out().toString()).toMatch(/words \(\d+\): .*\bglass\b/);
  });

  it('exits 2 for an unknown bundle name', async () => {
    const io = captureIo();
    expect(await main(['models', 'nope', '--dir', root], io)).toBe(2);
    expect(io.err()).toMatch(/no bundle "nope".*"foley models" lists/);
  });
});
