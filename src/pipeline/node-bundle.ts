/**
 * Bundles in folders: the Node half of model-index.ts and bundle-reader.ts (node:fs, node:path). Loaded lazily by
 * them, so the browser build, which shares those modules, never bundles this one.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ModelBundleError } from '../utils/errors';
import type { BundleReader } from './bundle-reader';
import { checkInsideBundle, parseJsonObject, validateBundle, type BundleFiles, type ValidatedBundle } from './model-index';

function readJson(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ModelBundleError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the bundle is incomplete`, file);
  }
  return parseJsonObject(file, text);
}

/** See `bundleFile` in model-index.ts. */
export function bundleFile(dir: string, relativePath: string, describe: string): string {
  checkInsideBundle(join(dir, 'model_index.json'), relativePath, describe, dir);
  const file = resolve(dir, relativePath);
  if (!existsSync(file)) throw new ModelBundleError(`${file}: missing (${describe}); the bundle is incomplete, re-export or re-copy it`, file);
  const real = realpathSync(file);
  const root = realpathSync(dir);
  const rel = relative(root, real);
  if (rel.startsWith('..') || isAbsolute(rel) || rel.split(sep)[0] === '..') {
    throw new ModelBundleError(`${file}: links to ${real}, outside the bundle folder ${root}`, file);
  }
  return file;
}

/** The validator's view of a folder. */
function folderFiles(root: string): BundleFiles {
  return {
    root,
    locate: (relativePath) => join(root, relativePath),
    file: (relativePath, describe) => bundleFile(root, relativePath, describe),
    json: readJson,
    optional: (relativePath) => (existsSync(join(root, relativePath)) ? join(root, relativePath) : undefined),
  };
}

/** See `readBundle` in model-index.ts. */
export function readBundleFolder(dir: string): ValidatedBundle {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new ModelBundleError(`${root}: no model bundle folder here; pass --bundle DIR (a folder with model_index.json)`, root);
  }
  return validateBundle(folderFiles(root));
}

/** A bundle folder as a `BundleReader`: onnxruntime-node opens the models by path. */
export function openBundleFolder(dir: string): BundleReader {
  return {
    location: resolve(dir),
    readBundle: async () => readBundleFolder(dir),
    readText: async (file) => {
      try {
        return await readFile(file, 'utf8');
      } catch (error) {
        throw new ModelBundleError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, file);
      }
    },
    readModel: async (file) => file,
  };
}

/** `models/foley-small` of the package holding `fromDir` (works from src/ and dist/src/). */
export function shippedBundleDir(fromDir: string): string {
  return resolve(packageRoot(fromDir), 'models/foley-small');
}

/** The nearest folder above `from` holding foley's package.json (src/pipeline or dist/src/pipeline). */
function packageRoot(from: string): string {
  for (let dir = from; dirname(dir) !== dir; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'foley') return dir;
  }
  return resolve(from, '../..');
}
