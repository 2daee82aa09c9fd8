"""The manifest record and the per-source writer (audio files, part manifest, part mels)."""
from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import numpy as np

from .audio import SAMPLE_RATE, write_wav
from .splits import unit_hash

LICENCE_TIERS = ("permissive", "share-alike", "gpl")
FIELDS = ("id", "split", "source", "package", "licence", "licence_tier", "family", "instrument_or_category",
          "class", "coarse_class", "pitch", "velocity", "dynamics", "articulation", "duration_s", "captions")
MEL_FRAMES = 400


def caption_rng(clip_id: str) -> random.Random:
    return random.Random(int(unit_hash("captions|" + clip_id) * 2 ** 53))


class PartWriter:
    """Collects the clips of one source: writes audio/<id>.wav now, parts/<source>.jsonl and .npz at the end.

    Clips whose 16-bit audio duplicates one already written by this writer are dropped (kits and presets
    share samples)."""

    def __init__(self, data_dir: Path, source: str):
        self.data_dir = Path(data_dir)
        self.source = source
        self.audio_dir = self.data_dir / "audio"
        self.parts_dir = self.data_dir / "parts"
        self.audio_dir.mkdir(parents=True, exist_ok=True)
        self.parts_dir.mkdir(parents=True, exist_ok=True)
        self.records: list[dict] = []
        self.mels: list[np.ndarray] = []
        self.hashes: set[str] = set()
        self.ids: set[str] = set()
        self.duplicates = 0

    @property
    def done(self) -> bool:
        return (self.parts_dir / f"{self.source}.jsonl").exists() and (self.parts_dir / f"{self.source}.npz").exists()

    def add(self, record: dict, audio: np.ndarray) -> bool:
        from ..melspec import log_mel_np

        if len(audio) < SAMPLE_RATE // 20:  # under 50 ms: nothing useful
            return False
        pcm = np.clip(np.round(audio * 32767.0), -32768, 32767).astype(np.int16)
        digest = hashlib.md5(pcm.tobytes()).hexdigest()
        if digest in self.hashes:
            self.duplicates += 1
            return False
        self.hashes.add(digest)
        if record["id"] in self.ids:
            raise ValueError(f"duplicate clip id {record['id']} in source {self.source}")
        self.ids.add(record["id"])
        missing = [f for f in FIELDS if f not in record]
        if missing:
            raise ValueError(f"record {record.get('id')} lacks {missing}")
        if record["licence_tier"] not in LICENCE_TIERS:
            raise ValueError(f"bad licence tier {record['licence_tier']}")
        if not 3 <= len(record["captions"]) <= 5:
            raise ValueError(f"record {record['id']} has {len(record['captions'])} captions, want 3-5")
        record["duration_s"] = round(len(audio) / SAMPLE_RATE, 4)
        write_wav(self.audio_dir / f"{record['id']}.wav", audio)
        mel = log_mel_np(pcm.astype(np.float32) / 32767.0)
        if mel.shape[1] > MEL_FRAMES:
            raise ValueError(f"clip {record['id']} is longer than {MEL_FRAMES} mel frames")
        self.records.append(record)
        self.mels.append(mel.astype(np.float16))
        return True

    def finish(self) -> None:
        jsonl = self.parts_dir / f"{self.source}.jsonl"
        npz = self.parts_dir / f"{self.source}.npz"
        tmp = npz.with_suffix(".tmp.npz")
        frames = np.array([m.shape[1] for m in self.mels], dtype=np.int32)
        stacked = pad_mels(self.mels)
        np.savez(tmp, mel=stacked, frames=frames, ids=np.array([r["id"] for r in self.records]))
        tmp.replace(npz)
        with open(jsonl.with_suffix(".tmp"), "w") as handle:
            for rec in self.records:
                handle.write(json.dumps(rec, ensure_ascii=False) + "\n")
        jsonl.with_suffix(".tmp").replace(jsonl)


def pad_mels(mels: list[np.ndarray]) -> np.ndarray:
    from ..melspec import LOG_FLOOR_VALUE

    out = np.full((len(mels), 64, MEL_FRAMES), LOG_FLOOR_VALUE, dtype=np.float16)
    for i, mel in enumerate(mels):
        out[i, :, : mel.shape[1]] = mel
    return out
