/** The samples gallery: `samples/index.json`, written by the build from samples/prompts.json and samples/*.wav. */
import { decodeWav } from '../src/audio/wav';
import { downmix } from '../src/audio/mix';

export interface GalleryEntry {
  id: string;
  prompt: string;
  /** URL of the WAV, relative to the page. */
  file: string;
  durationSeconds?: number;
  seed?: number;
  loop?: boolean;
  /** The command that rendered it. */
  command?: string;
}

/** The gallery's entries; an empty list when the build found no rendered samples. */
export async function loadGallery(): Promise<GalleryEntry[]> {
  const response = await fetch('samples/index.json');
  if (response.status === 404) return [];
  if (!response.ok) throw new Error(`samples/index.json: HTTP ${response.status}`);
  const entries = (await response.json()) as unknown;
  return Array.isArray(entries) ? (entries as GalleryEntry[]) : [];
}

/** One sample's audio, mono. */
export async function loadSample(entry: GalleryEntry): Promise<{ samples: Float32Array; sampleRate: number }> {
  const response = await fetch(entry.file);
  if (!response.ok) throw new Error(`${entry.file}: HTTP ${response.status}`);
  const wav = decodeWav(new Uint8Array(await response.arrayBuffer()));
  return { samples: downmix(wav.channelData), sampleRate: wav.sampleRate };
}
