// Shared by the tests that corrupt copies of a bundle's JSON files (test/pipeline, test/models).
import { readFileSync, writeFileSync } from 'node:fs';

/** Reads the JSON file `file`, lets `edit` change it in place, and writes it back. */
export function editJson(file: string, edit: (json: Record<string, any>) => void): void {
  const json = JSON.parse(readFileSync(file, 'utf8'));
  edit(json);
  writeFileSync(file, JSON.stringify(json));
}
