"""The labelled training dataset: rendering, ingestion, labels, captions, splits (issue 3, `training/run.sh data`).

Paths: the full dataset lives in `training/cache/data/`, the smoke dataset in `training/cache/smoke/data/`
(override the cache root with FOLEY_CACHE). Layout of a data directory:
  manifest.jsonl                 one JSON record per clip (labels, captions, split)
  audio/<id>.wav                 16 kHz mono 16-bit
  mels_<split>.npz               mel float16 [N, 64, 400] (padded with ln 1e-5), frames int32 [N], ids str [N]
  parts/<source>.jsonl, .npz     per-source records and mels (what makes the stage resumable)
"""
from __future__ import annotations

import os
from pathlib import Path

TRAINING_DIR = Path(__file__).resolve().parents[2]


def cache_dir() -> Path:
    return Path(os.environ.get("FOLEY_CACHE", TRAINING_DIR / "cache"))


def data_dir(smoke: bool = False) -> Path:
    """Where the `data` stage writes: cache/data, or cache/smoke/data for --smoke."""
    return cache_dir() / "smoke" / "data" if smoke else cache_dir() / "data"
