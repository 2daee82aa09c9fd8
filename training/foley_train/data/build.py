"""The `data` stage: render and ingest every source, then merge into manifest.jsonl and mels_<split>.npz.

    python3 -m foley_train.data.build [--smoke] [--only notes,gm-drums] [--force] [--include-gpl]

Each source is written to parts/<source>.jsonl + .npz when complete; a later run skips completed sources
(delete a part, or pass --force, to redo it). The merge always runs and is cheap.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from . import data_dir
from .drums import build_gm_drums, build_hydrogen
from .notes import build_chords, build_notes
from .records import PartWriter
from .splits import SPLITS

DEFAULT_TIERS = ("permissive", "share-alike")


def _sfx(name):
    def run(writer, smoke=False, log=print):
        from . import sfx
        getattr(sfx, name)(writer, smoke=smoke, log=log)
    return run


SOURCES = [
    ("notes", build_notes),
    ("chords", build_chords),
    ("gm-drums", build_gm_drums),
    ("hydrogen", build_hydrogen),
    ("gs-sfx", _sfx("build_gs_sfx")),
    ("samples", _sfx("build_samples")),
    ("game-sfx", _sfx("build_game_sfx")),
]


def load_parts(out: Path, names: list[str]) -> list[tuple[list[dict], dict]]:
    loaded = []
    for name in names:
        jsonl, npz = out / "parts" / f"{name}.jsonl", out / "parts" / f"{name}.npz"
        if not (jsonl.exists() and npz.exists()):
            continue
        with open(jsonl) as handle:
            records = [json.loads(line) for line in handle]
        arrays = dict(np.load(npz))
        if list(arrays["ids"]) != [r["id"] for r in records]:
            raise RuntimeError(f"{npz} and {jsonl} disagree: rebuild the part with --force --only {name}")
        loaded.append((records, arrays))
    return loaded


def merge(out: Path, tiers=DEFAULT_TIERS, log=print, prune: bool = True) -> dict:
    """manifest_all.jsonl (every clip), manifest.jsonl and mels_<split>.npz (clips of the chosen licence tiers)."""
    parts = load_parts(out, [name for name, _ in SOURCES])
    seen: set[str] = set()
    kept: dict[str, list] = {s: [] for s in SPLITS}
    with open(out / "manifest_all.tmp", "w") as all_handle, open(out / "manifest.tmp", "w") as handle:
        for records, arrays in parts:
            for i, rec in enumerate(records):
                if rec["id"] in seen:
                    raise RuntimeError(f"duplicate clip id {rec['id']}")
                seen.add(rec["id"])
                line = json.dumps(rec, ensure_ascii=False) + "\n"
                all_handle.write(line)
                if rec["licence_tier"] in tiers:
                    handle.write(line)
                    kept[rec["split"]].append((rec["id"], arrays["mel"][i], arrays["frames"][i]))
    (out / "manifest_all.tmp").replace(out / "manifest_all.jsonl")
    # Only a run over every source may prune: with --only, another build may be writing clips of its own source.
    orphans = [p for p in (out / "audio").glob("*.wav") if p.stem not in seen] if prune else []
    for path in orphans:  # clips of an earlier build of a source that was rebuilt differently
        path.unlink()
    if orphans:
        log(f"removed {len(orphans)} audio files no source lists any more")
    (out / "manifest.tmp").replace(out / "manifest.jsonl")
    for split, rows in kept.items():
        tmp = out / f"mels_{split}.tmp.npz"
        mel = np.stack([r[1] for r in rows]) if rows else np.zeros((0, 64, 400), np.float16)
        np.savez(tmp, mel=mel.astype(np.float16), frames=np.array([r[2] for r in rows], dtype=np.int32),
                 ids=np.array([r[0] for r in rows], dtype=str))
        tmp.replace(out / f"mels_{split}.npz")
    summary = summarise(out / "manifest_all.jsonl", tiers)
    with open(out / "summary.json", "w") as handle:
        json.dump(summary, handle, indent=1)
    log(f"merged: {summary['clips_default']} clips in {summary['classes_default']} classes "
        f"(tiers {', '.join(tiers)}); {summary['clips_all']} clips in all tiers; splits {summary['splits_default']}")
    return summary


def summarise(manifest: Path, tiers) -> dict:
    with open(manifest) as handle:
        records = [json.loads(line) for line in handle]
    default = [r for r in records if r["licence_tier"] in tiers]
    by_source = collections.defaultdict(lambda: collections.Counter())
    for r in records:
        by_source[(r["source"], r["package"], r["licence"], r["licence_tier"])][r["split"]] += 1
    return {
        "tiers": list(tiers),
        "clips_all": len(records),
        "clips_default": len(default),
        "classes_all": len({r["class"] for r in records}),
        "classes_default": len({r["class"] for r in default}),
        "coarse_classes_default": len({r["coarse_class"] for r in default}),
        "hours_default": round(sum(r["duration_s"] for r in default) / 3600, 3),
        "splits_default": dict(collections.Counter(r["split"] for r in default)),
        "by_tier": dict(collections.Counter(r["licence_tier"] for r in records)),
        "by_source": [{"source": k[0], "package": k[1], "licence": k[2], "tier": k[3], **dict(v),
                       "total": sum(v.values())} for k, v in sorted(by_source.items())],
        "by_class_default": dict(collections.Counter(r["class"] for r in default).most_common()),
        "by_coarse_default": dict(collections.Counter(r["coarse_class"] for r in default).most_common()),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="a tiny dataset (a few dozen clips) in cache/smoke/data")
    parser.add_argument("--only", default="", help="comma-separated sources to (re)build: " +
                        ", ".join(n for n, _ in SOURCES))
    parser.add_argument("--force", action="store_true", help="rebuild sources even if their part is complete")
    parser.add_argument("--include-gpl", action="store_true", help="also put GPL-tier clips into manifest.jsonl and mels")
    parser.add_argument("--out", default=None, help="output directory (default: training/cache/data)")
    args = parser.parse_args(argv)
    out = Path(args.out) if args.out else data_dir(args.smoke)
    out.mkdir(parents=True, exist_ok=True)
    only = [s for s in args.only.split(",") if s]
    unknown = set(only) - {n for n, _ in SOURCES}
    if unknown:
        parser.error(f"unknown source(s) {sorted(unknown)}; choose from {[n for n, _ in SOURCES]}")
    for name, build in SOURCES:
        if only and name not in only:
            continue
        writer = PartWriter(out, name)
        if writer.done and not args.force:
            print(f"{name}: already built (parts/{name}.jsonl), skipped", flush=True)
            continue
        start = time.time()
        print(f"{name}: building", flush=True)
        build(writer, smoke=args.smoke, log=lambda msg: print(msg, flush=True))
        writer.finish()
        print(f"{name}: {len(writer.records)} clips in {time.time() - start:.1f} s", flush=True)
    tiers = DEFAULT_TIERS + (("gpl",) if args.include_gpl else ())
    merge(out, tiers, prune=not only)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    sys.exit(main())
