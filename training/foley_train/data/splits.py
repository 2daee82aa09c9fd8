"""Deterministic train / validation / test assignment from a hold-out key.

Everything that shares a key lands in the same split: a whole recording (an SFX file, a hydrogen sample), or
an (instrument, pitch, velocity) combination of rendered notes, so the test split holds combinations and
recordings that training never saw. About 85 / 5 / 10 %.
"""
from __future__ import annotations

import hashlib

TEST_SHARE = 0.10
VALIDATION_SHARE = 0.05
SPLITS = ("train", "validation", "test")


def unit_hash(key: str) -> float:
    """A uniform number in [0, 1) from SHA-1 of the key (stable across runs, machines and Python versions)."""
    digest = hashlib.sha1(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2.0 ** 64


def split_of(key: str) -> str:
    u = unit_hash(key)
    if u < TEST_SHARE:
        return "test"
    if u < TEST_SHARE + VALIDATION_SHARE:
        return "validation"
    return "train"


def clip_id(*parts) -> str:
    """A short stable id: a readable prefix and a hash of all the parts."""
    text = "|".join(str(p) for p in parts)
    return f"{parts[0]}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:12]}"
