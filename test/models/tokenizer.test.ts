import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WordTokenizer } from '../../src/models/tokenizer';
import { ModelBundleError } from '../../src/utils/errors';
import { scratchDir } from '../support/scratch-dir';

const TINY = join(__dirname, '../fixtures/tiny-bundle');
const REAL = join(__dirname, '../../models/foley-small');
const TRAINING = join(__dirname, '../../training');

interface Cases {
  max_length: number;
  cases: { prompt: string; ids: number[]; unknown: string[] }[];
}

function expectParity(tokenizer: WordTokenizer, fixture: Cases): void {
  expect(tokenizer.maxLength).toBe(fixture.max_length);
  expect(fixture.cases.length).toBeGreaterThan(200);
  for (const { prompt, ids, unknown } of fixture.cases) {
    const tokens = tokenizer.tokenize(prompt);
    expect({ prompt, ids: tokens.ids, unknown: tokens.unknownWords }).toEqual({ prompt, ids, unknown });
  }
}

describe('WordTokenizer', () => {
  it('reproduces the Python tokenizer ids on the committed fixture (tiny bundle)', async () => {
    const tokenizer = await WordTokenizer.load(join(TINY, 'tokenizer/tokenizer.json'));
    expectParity(tokenizer, JSON.parse(readFileSync(join(TINY, 'parity/tokenizer_cases.json'), 'utf8')) as Cases);
  });

  const python = existsSync('/usr/bin/python3') && existsSync(REAL) ? it : it.skip;
  python('reproduces the Python tokenizer live on the real bundle (models/foley-small)', async () => {
    const out = join(scratchDir('foley-tok-'), 'cases.json');
    execFileSync('/usr/bin/python3', ['-m', 'foley_train.tokenizer', '--tokenizer', join(REAL, 'tokenizer/tokenizer.json'), '--dump-fixture', out], { cwd: TRAINING });
    const tokenizer = await WordTokenizer.load(join(REAL, 'tokenizer/tokenizer.json'));
    expectParity(tokenizer, JSON.parse(readFileSync(out, 'utf8')) as Cases);
  });

  it('keeps note names as single tokens, reports unknown words and truncation', async () => {
    const tokenizer = await WordTokenizer.load(join(TINY, 'tokenizer/tokenizer.json'));
    expect(tokenizer.splitWords('C#4 Eb3 a4, f#-1!')).toEqual(['c#4', 'eb3', 'a4', ',', 'f#-1', '!']);
    const result = tokenizer.tokenize('glass zorblax breaking!');
    expect(result.unknownWords).toEqual(['zorblax']);
    expect(result.ids[1]).toBe(tokenizer.unkId);
    expect(result.ids).toHaveLength(tokenizer.maxLength);
    const long = tokenizer.tokenize(Array(tokenizer.maxLength + 3).fill('glass').join(' '));
    expect(long.truncatedTokens).toHaveLength(3);
    const batch = tokenizer.encodeBatch(['glass', 'rain']);
    expect(batch.dims).toEqual([2, tokenizer.maxLength]);
    expect(typeof batch.data[0]).toBe('bigint');
  });

  it('rejects a tokenizer.json that breaks the contract', () => {
    const base = JSON.parse(readFileSync(join(TINY, 'tokenizer/tokenizer.json'), 'utf8'));
    expect(() => new WordTokenizer({ ...base, vocab: { ...base.vocab, '<pad>': 5 } })).toThrow(ModelBundleError);
    expect(() => new WordTokenizer({ ...base, type: 'bpe' })).toThrow(/"type" must be "word"/);
  });
});
