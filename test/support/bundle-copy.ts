// A bundle's manifest and JSON files copied to a scratch folder, each ONNX model an empty placeholder: the validator
// checks that the models exist, not their contents (test/models: the scorer and class reader config tests).
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { componentPath, ONNX_COMPONENTS, OPTIONAL_ONNX_COMPONENTS } from '../../src/pipeline/model-index';
import { scratchDir } from './scratch-dir';

/** Copies `source` (without its .onnx files and eval reports) into `<scratch>/bundle`; returns that folder. */
export function copyBundleJson(source: string, prefix: string): string {
  const dir = join(scratchDir(prefix), 'bundle');
  cpSync(source, dir, { recursive: true, filter: (path) => !path.endsWith('.onnx') && !path.includes('/eval') });
  const components = (JSON.parse(readFileSync(join(dir, 'model_index.json'), 'utf8')) as { components: Record<string, string> }).components;
  for (const name of [...ONNX_COMPONENTS, ...OPTIONAL_ONNX_COMPONENTS]) {
    if (components[name] !== undefined) writeFileSync(join(dir, componentPath(components[name], 'model.onnx')), '');
  }
  return dir;
}
