/**
 * What the browser tests and the browser benchmark share: picking a bundle, building the demo, serving it on
 * localhost, and launching Debian's Chromium (flags in ../shared/notes/toolchain.md §8).
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

export const ROOT = resolve(__dirname, existsSync(resolve(__dirname, '../../../package.json')) ? '../../..' : '../../../..');

/** The bundle to test with: FOLEY_BUNDLE, else the shipped models/foley-small, else the smoke run's bundle. */
export function pickBundle(): string | undefined {
  const candidates = [process.env.FOLEY_BUNDLE, 'models/foley-small', 'training/cache/smoke/bundle'];
  for (const candidate of candidates) {
    if (candidate !== undefined && candidate !== '' && existsSync(join(resolve(ROOT, candidate), 'model_index.json'))) return resolve(ROOT, candidate);
  }
  return undefined;
}

/** Builds web/ with Vite into `outDir` with `bundle` as the page's default; returns Vite's output. */
export function buildDemo(outDir: string, bundle: string): string {
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', outDir, '--emptyOutDir'], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, FOLEY_BUNDLE: bundle },
  });
  const log = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) throw new Error(`vite build failed (exit ${result.status}):\n${log}`);
  return log;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.wasm': 'application/wasm', '.onnx': 'application/octet-stream', '.wav': 'audio/wav', '.png': 'image/png', '.md': 'text/markdown',
};

export interface StaticServer {
  url: string;
  /** Every path requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves `dir` on 127.0.0.1 (a free port); `isolate` adds COOP/COEP, which wasm threads need. */
export async function serveStatic(dir: string, options: { isolate?: boolean } = {}): Promise<StaticServer> {
  const root = resolve(dir);
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    requests.push(path);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (options.isolate === true) {
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    if (!(file === root || file.startsWith(root + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
    res.setHeader('Content-Length', statSync(file).size);
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    }),
  };
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium for tests: no sandbox (root), audio allowed without a gesture, muted, no background traffic. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium fonts-liberation\` (.ci/run does) or set CHROMIUM_PATH`);
  }
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--mute-audio', '--disable-dev-shm-usage',
      '--disable-background-networking', '--disable-component-update', '--disable-default-apps', '--disable-sync',
      '--no-first-run', '--metrics-recording-only', '--disable-features=Translate,MediaRouter,OptimizationHints',
    ],
  });
}
