/**
 * FetchBundleReader, the browser's way to load a bundle, exercised in Node against the tiny bundle served over
 * HTTP: the same validation and the same samples as the folder, and errors that name the URL.
 */
import { cpSync, createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize, sep } from 'node:path';
import { AudioDiffusionPipeline } from '../../src/pipeline/audio-diffusion-pipeline';
import { FetchBundleReader } from '../../src/pipeline/bundle-reader';
import { readBundle } from '../../src/pipeline/model-index';
import { ModelBundleError } from '../../src/utils/errors';

const TINY = join(__dirname, '../fixtures/tiny-bundle');
// A bundle with the optional scorer component (the shipped one).
const SCORED = join(__dirname, '../../models/foley-small');
const FAST = { durationSeconds: 0.5, numInferenceSteps: 3, scheduler: 'ddim', seed: 11 };

describe('FetchBundleReader (a bundle over HTTP)', () => {
  let root: string;
  let server: Server;
  let base: string;
  const requests: string[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'foley-served-'));
    cpSync(TINY, join(root, 'tiny'), { recursive: true });
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const file = normalize(join(root, decodeURIComponent((req.url ?? '/').split('?')[0])));
      if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.setHeader('Content-Length', statSync(file).size);
      createReadStream(file).pipe(res);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
    rmSync(root, { recursive: true, force: true });
  });

  it('validates like the folder reader, with URLs in place of paths', async () => {
    const fetched = await new FetchBundleReader(`${base}tiny`).readBundle();
    const folder = readBundle(TINY);
    expect(fetched.dir).toBe(`${base}tiny/`);
    expect(fetched.files.onnx.unet).toBe(`${base}tiny/unet/model.onnx`);
    expect(fetched.configs).toEqual(folder.configs);
    expect(fetched.index).toEqual(folder.index);
    expect(fetched.vocabulary).toEqual(folder.vocabulary);
  });

  it('gives the pipeline the same samples as loading the folder', async () => {
    const bytes: number[] = [];
    const fromUrl = await AudioDiffusionPipeline.fromPretrained(new FetchBundleReader(`${base}tiny/`, { onBytes: (_file, loaded) => bytes.push(loaded) }));
    const fromFolder = await AudioDiffusionPipeline.fromPretrained(TINY);
    try {
      const a = (await fromUrl.generate('glass breaking', FAST)).audio;
      const b = (await fromFolder.generate('glass breaking', FAST)).audio;
      expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
      expect(bytes.length).toBeGreaterThanOrEqual(5);
    } finally {
      await fromUrl.dispose();
      await fromFolder.dispose();
    }
  });

  it('loads the optional scorer over HTTP: its config is validated and its model scores as from the folder', async () => {
    cpSync(SCORED, join(root, 'scored'), { recursive: true, filter: (source) => !source.includes('/eval') });
    const fetched = await new FetchBundleReader(`${base}scored/`).readBundle();
    expect(fetched.files.onnx.scorer).toBe(`${base}scored/scorer/model.onnx`);
    expect(fetched.configs.scorer).toEqual(readBundle(SCORED).configs.scorer);
    const fromUrl = await AudioDiffusionPipeline.fromPretrained(new FetchBundleReader(`${base}scored/`));
    const fromFolder = await AudioDiffusionPipeline.fromPretrained(SCORED);
    try {
      const audio = { data: (await fromFolder.generate('glass breaking', FAST)).audio, sampleRate: fromFolder.sampleRate };
      const prompts = ['glass breaking', 'a dog barking'];
      expect(await fromUrl.scoreAudio(audio, prompts)).toEqual(await fromFolder.scoreAudio(audio, prompts));
    } finally {
      await fromUrl.dispose();
      await fromFolder.dispose();
    }
    // A scorer config the manifest names but the server lacks is an HTTP error naming it.
    rmSync(join(root, 'scored/scorer/config.json'));
    await expect(new FetchBundleReader(`${base}scored/`).readBundle()).rejects.toThrow(`${base}scored/scorer/config.json: HTTP 404`);
  });

  it('names the URL and the HTTP status of a missing file', async () => {
    await expect(new FetchBundleReader(`${base}nowhere/`).readBundle()).rejects.toThrow(`${base}nowhere/model_index.json: HTTP 404`);
    const broken = join(root, 'broken');
    cpSync(TINY, broken, { recursive: true });
    rmSync(join(broken, 'vae_decoder/config.json'));
    await expect(new FetchBundleReader(`${base}broken/`).readBundle()).rejects.toThrow(`${base}broken/vae_decoder/config.json: HTTP 404`);
    rmSync(join(broken, 'vae_encoder/model.onnx'));
    cpSync(join(TINY, 'vae_decoder/config.json'), join(broken, 'vae_decoder/config.json'));
    // Model files are fetched when the pipeline opens them.
    await expect(AudioDiffusionPipeline.fromPretrained(new FetchBundleReader(`${base}broken/`))).rejects.toThrow(`${base}broken/vae_encoder/model.onnx: HTTP 404`);
  });

  it('rejects component paths that leave the bundle, without fetching them', async () => {
    const escaping = join(root, 'escaping');
    cpSync(TINY, escaping, { recursive: true });
    const indexFile = join(escaping, 'model_index.json');
    const index = JSON.parse(readFileSync(indexFile, 'utf8')) as { components: Record<string, string> };
    index.components.unet = '../tiny/unet';
    writeFileSync(indexFile, JSON.stringify(index));
    requests.length = 0;
    const error = await new FetchBundleReader(`${base}escaping/`).readBundle().catch((e: unknown) => e);
    expect(requests.filter((url) => !url.startsWith('/escaping/'))).toEqual([]);
    expect(error).toBeInstanceOf(ModelBundleError);
    expect((error as Error).message).toMatch(/components\.unet path "\.\.\/tiny\/unet" escapes the bundle folder/);
    index.components.unet = 'http://example.com/unet';
    writeFileSync(indexFile, JSON.stringify(index));
    await expect(new FetchBundleReader(`${base}escaping/`).readBundle()).rejects.toThrow(/escapes the bundle folder/);
  });

  it('reports invalid JSON with its URL', async () => {
    const bad = join(root, 'bad');
    cpSync(TINY, bad, { recursive: true });
    writeFileSync(join(bad, 'unet/config.json'), '{ nope');
    await expect(new FetchBundleReader(`${base}bad/`).readBundle()).rejects.toThrow(`${base}bad/unet/config.json: not valid JSON`);
  });
});
