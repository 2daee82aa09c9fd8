"""The held-out prompt set: captions of real test-split clips, with their labels, for evaluating a generator.

    python3 -m foley_train.eval.prompt_set --out prompts.json [--count 240] [--seed 0] [--data DIR]

Clips are drawn from the test split (whole recordings, pitch/velocity combinations and files the generator never
trained on), uniformly by clip, so the class mix follows the test split (what the Fréchet floor assumes). Each
entry: {file, prompt (one of the clip's captions, chosen by the seed), class, coarse_class, family, pitch,
duration, seed, id}. Durations are the real clip's, rounded up to 0.5 s (at least 1 s).
"""
from __future__ import annotations

import argparse
import json
import math
import random
from pathlib import Path

from ..data import data_dir


def prompt_set(manifest: Path, count: int, seed: int, split: str = "test", seed_offset: int = 0) -> list[dict]:
    rows = [json.loads(line) for line in manifest.read_text().splitlines()]
    pool = sorted((r for r in rows if r["split"] == split), key=lambda r: r["id"])
    rng = random.Random(seed)
    picks = rng.sample(pool, min(count, len(pool)))
    entries = []
    for k, row in enumerate(picks):
        duration = max(1.0, math.ceil(float(row.get("duration_s") or 1.0) * 2) / 2)
        entries.append({"file": f"{k:04d}.wav", "id": row["id"], "prompt": rng.choice(row["captions"]),
                        "class": row["class"], "coarse_class": row["coarse_class"], "family": row.get("family"),
                        "pitch": row.get("pitch"),
                        "duration": min(duration, 4.0), "seed": 1000 + seed_offset + k})
    return entries


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--count", type=int, default=240)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", type=Path, default=None)
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--split", default="test", choices=["test", "validation"],
                   help="validation: for choosing settings (guidance, steps) without looking at the test split")
    p.add_argument("--seed-offset", type=int, default=0,
                   help="added to every generation seed: the same prompts again with other noise (class reliability)")
    args = p.parse_args()
    data = args.data or data_dir(args.smoke)
    entries = prompt_set(data / "manifest.jsonl", args.count, args.seed, args.split, args.seed_offset)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(entries, indent=1) + "\n")
    print(f"wrote {len(entries)} prompts to {args.out}")


if __name__ == "__main__":
    main()
