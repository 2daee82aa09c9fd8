"""In-memory loaders for the VAE (log-mel crops) and the vocoder (waveform crops), from either layout:

* the full cache written by the data stage (`training/cache/data`): `mels_<split>.npz` (`mel` float16
  [N, 64, 400] padded with ln(1e-5), `frames` int32 [N], `ids`), `manifest.jsonl`, `audio/<id>.wav`;
* a compact pack written by `pack.py` (a folder with `pack.json`): `mel_<split>.npz` (`mel_u8` uint8 [64, total
  frames] quantised over [ln(1e-5), 3.0], `offsets` int64 [N + 1], `ids`) and `wave_<split>.npz` (`wave` int16
  [N, samples]).

Crops are drawn with a numpy Generator, so a seed fixes the batches.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .melspec import HOP, LOG_FLOOR_VALUE, N_MELS, SAMPLE_RATE

MEL_HIGH = 3.0  # top of the uint8 quantisation range (the data peaks near 1.4)
MEL_LOW = LOG_FLOOR_VALUE
MEL_STEP = (MEL_HIGH - MEL_LOW) / 255.0
FRAME_MULTIPLE = 4  # the VAE downsamples time by 4


def quantise_mel(mel: np.ndarray) -> np.ndarray:
    return np.clip(np.round((mel.astype(np.float32) - MEL_LOW) / MEL_STEP), 0, 255).astype(np.uint8)


def dequantise_mel(q: np.ndarray) -> np.ndarray:
    return q.astype(np.float32) * np.float32(MEL_STEP) + np.float32(MEL_LOW)


def is_pack(data_dir: Path) -> bool:
    return (Path(data_dir) / "pack.json").exists()


def read_manifest(data_dir: Path) -> dict[str, dict]:
    path = Path(data_dir) / "manifest.jsonl"
    if not path.exists():
        return {}
    rows = {}
    with open(path) as handle:
        for line in handle:
            row = json.loads(line)
            rows[row["id"]] = row
    return rows


class MelClips:
    """Log-mel clips of one split: `mels` float16 [N, 64, max_frames] padded with the log floor, `frames` [N]."""

    def __init__(self, mels: np.ndarray, frames: np.ndarray, ids: list[str]):
        if mels.ndim != 3 or mels.shape[1] != N_MELS:
            raise ValueError(f"expected mels [N, {N_MELS}, frames], got {mels.shape}")
        self.mels = mels
        self.frames = np.asarray(frames, dtype=np.int64)
        self.ids = list(ids)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def max_frames(self) -> int:
        return self.mels.shape[-1]

    @classmethod
    def load(cls, data_dir: Path, split: str, limit: int | None = None) -> "MelClips":
        data_dir = Path(data_dir)
        if is_pack(data_dir):
            with np.load(data_dir / f"mel_{split}.npz", allow_pickle=False) as z:
                q, offsets, ids = z["mel_u8"], z["offsets"], [str(i) for i in z["ids"]]
            n = len(ids) if limit is None else min(limit, len(ids))
            frames = np.diff(offsets)[:n]
            width = int(frames.max()) if n else FRAME_MULTIPLE
            width = -(-width // FRAME_MULTIPLE) * FRAME_MULTIPLE
            mels = np.full((n, N_MELS, width), MEL_LOW, dtype=np.float16)
            for k in range(n):
                mels[k, :, :frames[k]] = dequantise_mel(q[:, offsets[k]:offsets[k + 1]])
            return cls(mels, frames, ids[:n])
        path = data_dir / f"mels_{split}.npz"
        if not path.exists():
            raise FileNotFoundError(f"{path} not found: build the dataset first (training/run.sh data) or pass a pack")
        with np.load(path, allow_pickle=False) as z:
            mels, frames, ids = z["mel"], z["frames"], [str(i) for i in z["ids"]]
        if limit is not None:
            mels, frames, ids = mels[:limit], frames[:limit], ids[:limit]
        return cls(mels.astype(np.float16, copy=False), frames, ids)

    def crop_batch(self, rng: np.random.Generator, batch: int, length: int) -> np.ndarray:
        """[batch, 1, 64, length] float32 random crops; a crop may run past the clip into its floor padding."""
        if length % FRAME_MULTIPLE:
            raise ValueError(f"crop length must be a multiple of {FRAME_MULTIPLE}, got {length}")
        out = np.full((batch, 1, N_MELS, length), MEL_LOW, dtype=np.float32)
        picks = rng.integers(0, len(self), size=batch)
        for b, k in enumerate(picks):
            valid = int(self.frames[k])
            # start anywhere that keeps at least half the crop (or the whole clip) inside the sound
            last = max(0, valid - min(length, valid) // 2 - 1)
            start = int(rng.integers(0, last + 1))
            piece = self.mels[k, :, start:start + length]
            out[b, 0, :, :piece.shape[-1]] = piece
        return out

    def random_length(self, rng: np.random.Generator, low: int, high: int) -> int:
        """A crop length, a multiple of 4 in [low, high]."""
        steps = rng.integers(low // FRAME_MULTIPLE, high // FRAME_MULTIPLE + 1)
        return int(steps) * FRAME_MULTIPLE

    def full(self, k: int, multiple: int = FRAME_MULTIPLE) -> np.ndarray:
        """Clip k's valid frames, padded with the floor up to a multiple of `multiple`: [1, 1, 64, T]."""
        valid = int(self.frames[k])
        width = -(-valid // multiple) * multiple
        out = np.full((1, 1, N_MELS, width), MEL_LOW, dtype=np.float32)
        out[0, 0, :, :valid] = self.mels[k, :, :valid]
        return out


class WaveClips:
    """Waveforms of one split (float32, 16 kHz) held as int16: a list of variable-length clips."""

    def __init__(self, waves: list[np.ndarray], ids: list[str]):
        self.waves = waves
        self.ids = list(ids)

    def __len__(self) -> int:
        return len(self.waves)

    @classmethod
    def load(cls, data_dir: Path, split: str, limit: int | None = None, seed: int = 0) -> "WaveClips":
        data_dir = Path(data_dir)
        if is_pack(data_dir):
            with np.load(data_dir / f"wave_{split}.npz", allow_pickle=False) as z:
                wave, ids = z["wave"], [str(i) for i in z["ids"]]
            n = len(ids) if limit is None else min(limit, len(ids))
            return cls([wave[k] for k in range(n)], ids[:n])
        import soundfile  # only the full cache needs it (the GPU machine reads packs)

        manifest = read_manifest(data_dir)
        if not manifest:
            raise FileNotFoundError(f"{data_dir / 'manifest.jsonl'} not found: build the dataset first or pass a pack")
        ids = sorted(i for i, row in manifest.items() if row["split"] == split)
        if limit is not None and limit < len(ids):
            ids = sorted(np.random.default_rng(seed).choice(ids, size=limit, replace=False).tolist())
        waves = []
        missing = [i for i in ids if not (data_dir / "audio" / f"{i}.wav").exists()]
        if missing:
            if len(missing) == len(ids):
                raise FileNotFoundError(f"no audio of the {split} split under {data_dir / 'audio'}: rebuild the dataset")
            print(f"WaveClips: {len(missing)} of {len(ids)} {split} clips have no audio file (rebuild with "
                  f"`training/run.sh data --force --only SOURCE`); using the rest", flush=True)
            ids = [i for i in ids if i not in set(missing)]
        for clip_id in ids:
            data, rate = soundfile.read(str(data_dir / "audio" / f"{clip_id}.wav"), dtype="int16", always_2d=False)
            if rate != SAMPLE_RATE:
                raise ValueError(f"{clip_id}.wav is {rate} Hz; the dataset is {SAMPLE_RATE} Hz")
            waves.append(data if data.ndim == 1 else data[:, 0])
        return cls(waves, ids)

    def crop(self, rng: np.random.Generator, k: int, samples: int, onset_share: float = 0.5) -> np.ndarray:
        """One crop of `samples` from clip k as float32: from the start (onset) with probability `onset_share`,
        else from a uniform position; zero-padded past the end."""
        wave = self.waves[k]
        out = np.zeros(samples, dtype=np.float32)
        start = 0
        if len(wave) > samples and rng.random() >= onset_share:
            start = int(rng.integers(0, len(wave) - samples + 1))
        piece = wave[start:start + samples]
        out[:len(piece)] = piece.astype(np.float32) / 32768.0
        return out

    def crop_batch(self, rng: np.random.Generator, batch: int, samples: int, onset_share: float = 0.5,
                   favour: np.ndarray | None = None, favour_share: float = 0.0) -> np.ndarray:
        """[batch, samples] float32; `samples` should be a multiple of the hop (160). With `favour` (clip indices),
        each crop comes from one of those clips with probability `favour_share`, else from any clip."""
        if samples % HOP:
            raise ValueError(f"crop length must be a multiple of {HOP} samples, got {samples}")
        picks = rng.integers(0, len(self), size=batch)
        if favour is not None and len(favour) and favour_share > 0:
            chosen = rng.random(batch) < favour_share
            picks[chosen] = favour[rng.integers(0, len(favour), size=int(chosen.sum()))]
        return np.stack([self.crop(rng, int(k), samples, onset_share) for k in picks])

    def fixed_crops(self, samples: int, count: int | None = None) -> np.ndarray:
        """Deterministic evaluation crops: each clip from its start, [count, samples] float32."""
        n = len(self) if count is None else min(count, len(self))
        return np.stack([self.crop(np.random.default_rng(0), k, samples, onset_share=1.0) for k in range(n)])


__all__ = ["MelClips", "WaveClips", "quantise_mel", "dequantise_mel", "is_pack", "read_manifest", "MEL_LOW",
           "MEL_HIGH", "MEL_STEP", "FRAME_MULTIPLE"]


def write_synthetic_dataset(data_dir: Path, clips_per_split: dict | None = None, seconds: float = 1.0,
                            seed: int = 0) -> Path:
    """A tiny dataset in the data stage's layout (decaying harmonic tones and noise bursts), for tests and
    smoke runs where the real one is not built: manifest.jsonl, audio/<id>.wav, mels_<split>.npz."""
    import soundfile
    import torch

    from .melspec import log_mel

    clips_per_split = clips_per_split or {"train": 12, "validation": 4, "test": 4}
    data_dir = Path(data_dir)
    (data_dir / "audio").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n = int(seconds * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    with open(data_dir / "manifest.jsonl", "w") as manifest:
        for split, count in clips_per_split.items():
            mels, frames, ids = [], [], []
            for k in range(count):
                clip_id = f"synth-{split}-{k:03d}"
                if k % 3 == 2:
                    wave = rng.standard_normal(n) * np.exp(-t * 12.0) * 0.3
                    cls = "noise burst"
                else:
                    f0 = 110.0 * 2 ** (rng.integers(0, 36) / 12)
                    wave = sum(np.sin(2 * np.pi * f0 * h * t + rng.uniform(0, 6.3)) / h for h in range(1, 6))
                    wave = 0.3 * wave * np.exp(-t * rng.uniform(1.0, 6.0))
                    cls = "tone"
                wave = wave[:int(n * rng.uniform(0.5, 1.0))].astype(np.float32)
                soundfile.write(str(data_dir / "audio" / f"{clip_id}.wav"), wave, SAMPLE_RATE, subtype="PCM_16")
                mel = log_mel(torch.from_numpy(wave)).numpy()
                padded = np.full((N_MELS, 400), MEL_LOW, dtype=np.float16)
                padded[:, :mel.shape[1]] = mel[:, :400]
                mels.append(padded)
                frames.append(min(400, mel.shape[1]))
                ids.append(clip_id)
                manifest.write(json.dumps({"id": clip_id, "split": split, "class": cls, "family": cls}) + "\n")
            np.savez(data_dir / f"mels_{split}.npz", mel=np.stack(mels), frames=np.array(frames, np.int32),
                     ids=np.array(ids, dtype=str))
    return data_dir
