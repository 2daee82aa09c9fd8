import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/index';
import type { ScoreSummary } from '../../cli/commands/score';
import { AudioDiffusionPipeline } from '../../src/pipeline/audio-diffusion-pipeline';
import { captureIo, decodeWav } from '../pipeline/support/capture-io';

// A bundle with a scorer (the shipped one), and one without (the tiny test bundle names no "scorer" component).
const SCORED = join(__dirname, '../../models/foley-small');
const TINY = join(__dirname, '../fixtures/tiny-bundle');
// A real recording: a sustained cello note, E♭3 (test/fixtures/vocoder).
const CELLO = join(__dirname, '../fixtures/vocoder/cello-eb3.wav');
const MATCH = 'a sustained cello note, eb3';
const OTHER = 'a tight snare drum hit';

describe('foley score', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'foley-score-'));
    copyFileSync(CELLO, join(dir, 'cello.wav'));
    writeFileSync(join(dir, 'text.wav'), 'not audio at all');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--json: a real cello note scores higher for its own description than for a snare, best first', async () => {
    const io = captureIo();
    // Worst match first on the command line: the output must reorder it.
    expect(await main(['score', CELLO, OTHER, MATCH, '--json'], io)).toBe(0);
    const summary = JSON.parse(io.out().toString()) as ScoreSummary;
    expect(Object.keys(summary).sort()).toEqual(['best', 'file', 'scores']);
    expect(summary.file).toBe(CELLO);
    expect(summary.scores.map((s) => s.prompt)).toEqual([MATCH, OTHER]);
    expect(summary.best).toBe(MATCH);
    const [match, other] = summary.scores.map((s) => s.score);
    // Measured on the shipped bundle: about 0.74 for the cello description, about -0.19 for the snare.
    expect(match).toBeGreaterThan(0.5);
    expect(match).toBeLessThanOrEqual(1);
    expect(other).toBeLessThan(0);
    expect(other).toBeGreaterThanOrEqual(-1);
    expect(io.err()).toBe('');
  });

  it('prints the scores the library computes for the same file, as a table, best first', async () => {
    const pipeline = await AudioDiffusionPipeline.fromPretrained(SCORED, { vocoder: 'griffin-lim' });
    let expected: number[];
    try {
      const wav = decodeWav(readFileSync(CELLO));
      expected = await pipeline.scoreAudio({ data: wav.channelData[0], sampleRate: wav.sampleRate }, [OTHER, MATCH]);
    } finally {
      await pipeline.dispose();
    }
    const io = captureIo();
    expect(await main(['score', join(dir, 'cello.wav'), OTHER, MATCH, '--bundle', SCORED], io)).toBe(0);
    const lines = io.out().toString().trimEnd().split('\n');
    expect(lines[0]).toBe(`${join(dir, 'cello.wav')}: cosine similarity to each prompt, in [-1, 1] (higher = a better match), best first`);
    expect(lines[1]).toMatch(/^ +score {2}prompt$/);
    expect(lines.slice(2)).toEqual([`${expected[1].toFixed(3).padStart(7)}  ${MATCH}`, `${expected[0].toFixed(3).padStart(7)}  ${OTHER}`]);
  });

  it('names prompt words the model does not know on stderr, and still scores', async () => {
    const io = captureIo();
    expect(await main(['score', CELLO, 'a zxqv note', '--json'], io)).toBe(0);
    expect(io.err()).toMatch(/^foley: warning: the model does not know "zxqv" \(ignored as <unk>\)/);
    expect((JSON.parse(io.out().toString()) as ScoreSummary).scores).toHaveLength(1);
  });

  test.each([
    ['a missing file', ['score', 'missing.wav', MATCH], /^foley: cannot read .*missing\.wav: no such file\n$/],
    ['a file that is not a WAV', ['score', 'text.wav', MATCH], /^foley: .*text\.wav: not a WAV file: .*\n$/],
    ['an empty prompt', ['score', 'cello.wav', MATCH, '  '], /^foley: prompt 2 is empty: describe a sound/],
    ['a bundle without a scorer', ['score', 'cello.wav', MATCH, '--model', TINY], /^foley: the bundle .*tiny-bundle has no scorer, so it cannot score audio: use a bundle whose model_index\.json names a "scorer" component/],
  ])('%s: exit 2, one line on stderr saying what to do, nothing on stdout', async (_what, args, message) => {
    const io = captureIo();
    const [command, file, ...rest] = args as string[];
    expect(await main([command, join(dir, file), ...rest], io)).toBe(2);
    expect(io.err()).toMatch(message);
    expect(io.err().split('\n')).toHaveLength(2);
    expect(io.out().toString()).toBe('');
  });

  it('usage: --help exits 0, no prompt exits 2', async () => {
    const help = captureIo();
    expect(await main(['score', '--help'], help)).toBe(0);
    const usage = captureIo();
    expect(await main(['score', CELLO], usage)).toBe(2);
    expect(usage.err()).toMatch(/^foley: Not enough non-option arguments: got 1, need at least 2\n/);
    expect(usage.out().toString()).toBe('');
  });
});
