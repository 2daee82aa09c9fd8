/**
 * The browser demo (web/): `npm run demo` builds it into demo-dist/ and serves it on localhost.
 *
 * - FOLEY_BUNDLE: the bundle folder the page loads by default (default models/foley-small). It is copied into the
 *   site at its path inside the repository (or at bundle/ when it lies outside), and `?bundle=URL` overrides it.
 * - FOLEY_ISOLATE=1: serve with COOP/COEP (cross-origin isolation), which onnxruntime-web's threads need.
 * - samples/*.wav with samples/prompts.json become the gallery (samples/index.json).
 *
 * Node-only modules never enter the browser build: a static import of one from src/ or web/ fails the build, and
 * the lazy `require`s on Node-only code paths (onnxruntime-node in src/models/backend.ts, node:fs in the bundle
 * and tokenizer loaders) are replaced by a stub that throws if a browser ever reached them.
 */
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync, createReadStream } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const ROOT = dirname(fileURLToPath(import.meta.url));
const WEB = join(ROOT, 'web');
/** The build's output folder (demo-dist/ unless `vite build --outDir` says otherwise). */
let OUT = join(ROOT, 'demo-dist');
const SAMPLES = join(ROOT, 'samples');

const bundleDir = resolve(ROOT, process.env.FOLEY_BUNDLE ?? 'models/foley-small');
/** The bundle folder as messages name it: its path in the repository, or the absolute path. */
const bundleName = relative(ROOT, bundleDir).startsWith('..') ? bundleDir : relative(ROOT, bundleDir);
const bundlePath = (() => {
  const rel = relative(ROOT, bundleDir);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? 'bundle' : rel.split(sep).join('/');
})();

/** The page's Content-Security-Policy, from its <meta> tag (one source), also sent as a header. */
const CSP = (() => {
  const match = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(readFileSync(join(WEB, 'index.html'), 'utf8'));
  if (match === null) throw new Error('web/index.html lost its Content-Security-Policy <meta> tag');
  return match[1];
})();

const headers: Record<string, string> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  ...(process.env.FOLEY_ISOLATE === '1' ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {}),
};

const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);
const NODE_PACKAGES = new Set(['onnxruntime-node', 'node-wav']);
const NODE_LOCAL = [join(ROOT, 'src/pipeline/node-bundle.ts'), join(ROOT, 'src/pipeline/wav-io.ts'), join(ROOT, 'src/audio/wav-file.ts')];
const STUB = '\0foley-node-only:';

function isNodeOnly(source: string, importer: string): boolean {
  if (NODE_BUILTINS.has(source) || NODE_PACKAGES.has(source)) return true;
  if (!source.startsWith('.')) return false;
  const target = resolve(dirname(importer), source);
  return NODE_LOCAL.some((file) => file === target || file === `${target}.ts`);
}

/** Fails the build on a static import of a Node-only module from our code; stubs lazy requires of them. */
function nodeOnlyGuard(): Plugin {
  return {
    name: 'foley-node-only-guard',
    enforce: 'pre',
    resolveId(source, importer, options) {
      if (importer === undefined || importer.includes('node_modules') || !importer.startsWith(ROOT)) return null;
      if (!isNodeOnly(source, importer)) return null;
      // Rolldown says how a module is asked for; the dev server's dependency scan does not (no kind): stub there.
      const kind = (options as { kind?: string }).kind;
      if (kind !== 'import-statement' && kind !== 'dynamic-import') return { id: `${STUB}${source}`, moduleSideEffects: false };
      this.error(`${relative(ROOT, importer)} imports the Node-only module "${source}" (${kind}): the browser build must not contain it. ` +
        'Load it with a lazy require() on a Node-only code path, as src/models/backend.ts does, or keep it out of modules the page shares.');
    },
    load(id) {
      if (!id.startsWith(STUB)) return null;
      const name = id.slice(STUB.length);
      return `throw new Error(${JSON.stringify(`foley: "${name}" is Node-only and not in the browser build (pass a FetchBundleReader and call setOnnxBackend with onnxruntime-web)`)});\n`;
    },
  };
}

interface GalleryEntry { id: string; prompt: string; file: string; durationSeconds?: number; seed?: number; loop?: boolean; command?: string }

/** samples/index.json: the rendered WAVs that have an entry in samples/prompts.json (the page handles none). */
function galleryIndex(): GalleryEntry[] {
  const promptsFile = join(SAMPLES, 'prompts.json');
  if (!existsSync(promptsFile)) return [];
  const prompts = JSON.parse(readFileSync(promptsFile, 'utf8')) as { id: string; prompt: string; duration?: number; seed?: number; loop?: boolean }[];
  return prompts
    .filter((p) => existsSync(join(SAMPLES, `${p.id}.wav`)))
    .map((p) => {
      const duration = p.duration ?? 4;
      const seed = p.seed ?? 1;
      return {
        id: p.id, prompt: p.prompt, file: `samples/${p.id}.wav`, durationSeconds: duration, seed, loop: p.loop === true,
        command: `foley generate ${JSON.stringify(p.prompt)} -o samples/${p.id}.wav --duration ${duration} --seed ${seed}${p.loop === true ? ' --loop' : ''}`,
      };
    });
}

const TYPES: Record<string, string> = { '.json': 'application/json', '.onnx': 'application/octet-stream', '.wav': 'audio/wav', '.md': 'text/markdown' };

/** Serves (dev) and copies (build) the bundle and the gallery. */
function foleyAssets(): Plugin {
  return {
    name: 'foley-assets',
    configResolved(config) {
      OUT = resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = decodeURIComponent((req.url ?? '').split('?')[0]);
        if (path === '/samples/index.json') {
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify(galleryIndex()));
          return;
        }
        const served = path.startsWith(`/${bundlePath}/`) ? join(bundleDir, path.slice(bundlePath.length + 2))
          : path.startsWith('/samples/') ? join(SAMPLES, path.slice('/samples/'.length)) : undefined;
        if (served === undefined || served.split(sep).includes('..')) return next();
        if (!existsSync(served) || !statSync(served).isFile()) {
          res.statusCode = 404;
          res.end();
          return;
        }
        res.setHeader('Content-Type', TYPES[extname(served)] ?? 'application/octet-stream');
        createReadStream(served).pipe(res);
      });
    },
    writeBundle() {
      if (existsSync(join(bundleDir, 'model_index.json'))) {
        cpSync(bundleDir, join(OUT, bundlePath), { recursive: true, dereference: true });
      } else {
        this.warn(`no model bundle at ${bundleName} (model_index.json missing): the page will say so. ` +
          'Build with FOLEY_BUNDLE=DIR, e.g. FOLEY_BUNDLE=training/cache/smoke/bundle after `bash training/run.sh all --smoke`.');
      }
      // onnxruntime-web's wasm loader and binary as files of their own, for threads (see web/worker.ts).
      mkdirSync(join(OUT, 'ort'), { recursive: true });
      for (const file of ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm']) cpSync(join(ROOT, 'node_modules/onnxruntime-web/dist', file), join(OUT, 'ort', file));
      const gallery = galleryIndex();
      mkdirSync(join(OUT, 'samples'), { recursive: true });
      for (const entry of gallery) cpSync(join(ROOT, entry.file), join(OUT, entry.file));
      writeFileSync(join(OUT, 'samples/index.json'), `${JSON.stringify(gallery, null, 2)}\n`);
      writeFileSync(join(OUT, 'build.json'), `${JSON.stringify({ bundle: bundleName, bundlePath, samples: gallery.length }, null, 2)}\n`);
    },
  };
}

/** The dev server injects CSS as <style> elements (hot reload): allow inline styles there only. */
const DEV_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");
function devCsp(): Plugin {
  return { name: 'foley-dev-csp', apply: 'serve', transformIndexHtml: (html) => html.replace(CSP, DEV_CSP) };
}

export default defineConfig({
  root: WEB,
  base: './',
  publicDir: false,
  // Missing files must be 404s (not index.html), so that a missing bundle file is reported as such.
  appType: 'mpa',
  define: { __FOLEY_BUNDLE_URL__: JSON.stringify(`${bundlePath}/`) },
  plugins: [nodeOnlyGuard(), foleyAssets(), devCsp()],
  worker: { format: 'es', plugins: () => [nodeOnlyGuard()] },
  build: { outDir: OUT, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1024, reportCompressedSize: false },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  server: { host: '127.0.0.1', headers: { ...headers, 'Content-Security-Policy': DEV_CSP } },
  preview: { host: '127.0.0.1', port: 4173, headers },
});
