import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { AudioDiffusionPipeline } from '../../src/pipeline/audio-diffusion-pipeline';
import { describeWeakClass, findWeakClasses, namedClasses, parseClassAccuracy, type ClassAccuracy } from '../../src/pipeline/class-reliability';
import { readBundle } from '../../src/pipeline/model-index';
import type { PipelineProgress } from '../../src/pipeline/progress';
import { ModelBundleError } from '../../src/utils/errors';
import { editJson } from '../support/json-file';
import { scratchDir } from '../support/scratch-dir';

const TINY = join(__dirname, '../fixtures/tiny-bundle');
const words = (text: string) => text.toLowerCase().split(/[^a-z0-9#]+/).filter((w) => w.length > 0);
const CLASSES = ['acoustic grand piano', 'bright acoustic piano', 'piano', 'string ensemble 2', 'bagpipe', 'acoustic guitar (nylon)'];
const CLASS_WORDS = new Map(CLASSES.map((c) => [c, words(c)]));

describe('namedClasses', () => {
  it('finds the classes a prompt names as whole runs of its words, in prompt order', () => {
    expect(namedClasses(words('F2 on a string ensemble 2, soft'), CLASS_WORDS)).toEqual(['string ensemble 2']);
    expect(namedClasses(words('a bagpipe and an acoustic guitar (nylon) duet'), CLASS_WORDS)).toEqual(['bagpipe', 'acoustic guitar (nylon)']);
    // "string ensemble 1" is not "string ensemble 2"; "bagpipes" is not "bagpipe".
    expect(namedClasses(words('string ensemble 1 and bagpipes'), CLASS_WORDS)).toEqual([]);
  });

  it('reads the longest class, not a shorter one inside it', () => {
    expect(namedClasses(words('a bright acoustic piano note, c4'), CLASS_WORDS)).toEqual(['bright acoustic piano']);
    expect(namedClasses(words('piano, then an acoustic grand piano'), CLASS_WORDS)).toEqual(['piano', 'acoustic grand piano']);
  });
});

describe('findWeakClasses', () => {
  const table = new Map<string, ClassAccuracy>([
    ['bagpipe', { clips: 16, right: 0, heardAs: 'trumpet' }],
    ['piano', { clips: 8, right: 4, heardAs: 'celesta' }],
    ['string ensemble 2', { clips: 3, right: 0, heardAs: 'string ensemble 1' }],
    ['acoustic grand piano', { clips: 12, right: 5, heardAs: null }],
  ]);

  it('keeps the named classes right in under half of at least 4 clips, once each', () => {
    const weak = findWeakClasses(['bagpipe', 'piano', 'string ensemble 2', 'acoustic grand piano', 'bagpipe', 'bright acoustic piano'], table);
    // piano: exactly half is not under half; string ensemble 2: 3 clips say too little; bright piano: not measured.
    expect(weak.map((w) => w.className)).toEqual(['bagpipe', 'acoustic grand piano']);
    expect(findWeakClasses(['string ensemble 2'], table, { minClips: 3 }).map((w) => w.className)).toEqual(['string ensemble 2']);
    expect(findWeakClasses(['piano'], table, { maxShare: 0.6 }).map((w) => w.className)).toEqual(['piano']);
  });

  it('describes a weak class with its figures and what it sounds like instead', () => {
    const [bagpipe, grand] = findWeakClasses(['bagpipe', 'acoustic grand piano'], table);
    expect(describeWeakClass(bagpipe)).toMatch(/"bagpipe" poorly: 0 of 16 validation clips were heard as bagpipe \(most often heard as trumpet\)/);
    expect(describeWeakClass(grand)).not.toMatch(/most often/);
  });
});

describe('parseClassAccuracy', () => {
  it('is undefined without a measurement and a Map with one', () => {
    expect(parseClassAccuracy('v.json', undefined, CLASSES)).toBeUndefined();
    const table = parseClassAccuracy('v.json', { bagpipe: { clips: 4, right: 1, heard_as: 'trumpet' }, piano: { clips: 2, right: 2, heard_as: null } }, CLASSES);
    expect(table?.get('bagpipe')).toEqual({ clips: 4, right: 1, heardAs: 'trumpet' });
    expect(table?.get('piano')).toEqual({ clips: 2, right: 2, heardAs: null });
  });

  it('names the file, the entry and the expected shape for a bad entry', () => {
    for (const bad of [[], { bagpipe: { clips: 0, right: 0, heard_as: null } }, { bagpipe: { clips: 4, right: 5, heard_as: null } }, { bagpipe: { clips: 4, right: 1.5, heard_as: null } }, { bagpipe: { clips: 4, right: 1 } }]) {
      expect(() => parseClassAccuracy('v.json', bad, CLASSES)).toThrow(ModelBundleError);
    }
    expect(() => parseClassAccuracy('v.json', { bagpipe: { clips: 4, right: 5, heard_as: null } }, CLASSES)).toThrow(/v\.json: "class_accuracy\.bagpipe" must be \{"clips": integer ≥ 1, "right": integer 0…clips/);
    expect(() => parseClassAccuracy('v.json', { kazoo: { clips: 4, right: 1, heard_as: null } }, CLASSES)).toThrow(/names "kazoo", which is not in "classes"/);
  });
});

describe('weak-class warnings in the pipeline', () => {
  const dir = join(scratchDir('foley-weak-'), 'bundle');
  cpSync(TINY, dir, { recursive: true });
  editJson(join(dir, 'tokenizer/vocabulary.json'), (v) => {
    v.class_accuracy = { cello: { clips: 8, right: 1, heard_as: 'guitar' }, guitar: { clips: 8, right: 7, heard_as: 'cello' } };
  });

  it('the bundle reader rejects a class_accuracy of classes the bundle does not have', () => {
    const bad = join(scratchDir('foley-weak-bad-'), 'bundle');
    cpSync(dir, bad, { recursive: true });
    editJson(join(bad, 'tokenizer/vocabulary.json'), (v) => (v.class_accuracy = { kazoo: { clips: 4, right: 0, heard_as: null } }));
    expect(() => readBundle(bad)).toThrow(/tokenizer\/vocabulary\.json: "class_accuracy" names "kazoo"/);
  });

  it('warns for a prompt (not a negative prompt) naming a weak class, in every generation method', async () => {
    const pipeline = await AudioDiffusionPipeline.fromPretrained(dir);
    try {
      const events: PipelineProgress[] = [];
      const options = { durationSeconds: 0.5, numInferenceSteps: 2, seed: 1, onProgress: (e: PipelineProgress) => events.push(e) };
      const weak = await pipeline.generate('a plucked cello note, g2', options);
      expect(weak.weakClasses).toEqual([{ className: 'cello', clips: 8, right: 1, heardAs: 'guitar' }]);
      expect(events.filter((e) => e.type === 'warning' && e.code === 'weak-class').map((e) => (e as { message: string }).message))
        .toEqual([expect.stringContaining('"cello" poorly: 1 of 8 validation clips')]);
      expect((await pipeline.generate('a plucked guitar note', { ...options, negativePrompt: 'cello' })).weakClasses).toEqual([]);
      expect((await pipeline.vary({ data: weak.audio, sampleRate: weak.sampleRate }, 'a cello note', { numInferenceSteps: 2, seed: 1 })).weakClasses.map((w) => w.className)).toEqual(['cello']);
      expect((await pipeline.interpolate({ prompt: 'a guitar note', seed: 1 }, { prompt: 'a cello note', seed: 2 }, { durationSeconds: 0.5, numInferenceSteps: 2, steps: 2 })).weakClasses.map((w) => w.className)).toEqual(['cello']);
    } finally {
      await pipeline.dispose();
    }
  });
});
