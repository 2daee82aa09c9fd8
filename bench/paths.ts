import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The repository's training/ folder, from bench/ (ts-node) or from dist/bench/. */
export function trainingDir(): string {
  return resolve(__dirname, existsSync(resolve(__dirname, '../training')) ? '../training' : '../../training');
}
