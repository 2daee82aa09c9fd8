"""Write a compact copy of the dataset for a machine that receives at most 64 MiB per call (the GPU machine).

    python3 -m foley_train.pack --data training/cache/data --out .devdata --max-mb 55

* `mel_train.npz`, `mel_validation.npz`: each clip's valid log-mel frames, uint8-quantised over [ln(1e-5), 3.0]
  (step 0.057, mean abs error 0.014), concatenated: `mel_u8` [64, total], `offsets` [N + 1], `ids`.
* `wave_train.npz`, `wave_validation.npz`: int16 waveform crops (`--crop-seconds`) from a
  class-stratified subset of clips (from the onset for half of them, elsewhere for the rest), `wave` [N, samples];
  0.5 s crops by default: twice as many distinct clips as 1 s crops in the same bytes.
* `pack.json`: counts, sizes and the quantisation range; its presence marks a folder as a pack for datasets.py.

Clips are chosen round-robin over the manifest's classes (shuffled with `--seed`), so a small pack stays
diverse. The sizes are measured after compression and the counts shrunk until the total fits `--max-mb`.
"""
from __future__ import annotations

import argparse
import io
import json
import zipfile
from collections import defaultdict
from pathlib import Path

import numpy as np

from .datasets import MEL_HIGH, MEL_LOW, MelClips, WaveClips, quantise_mel, read_manifest
from .melspec import SAMPLE_RATE

SILENT_PEAK = 1e-3  # crops quieter than this (int16 ~33) teach the vocoder nothing


def stratified_order(ids: list[str], manifest: dict[str, dict], seed: int) -> list[int]:
    """Indices of `ids`, round-robin over classes (each class shuffled), so any prefix is diverse."""
    rng = np.random.default_rng(seed)
    by_class: dict[str, list[int]] = defaultdict(list)
    for k, clip_id in enumerate(ids):
        row = manifest.get(clip_id, {})
        by_class[str(row.get("class", row.get("family", "unknown")))].append(k)
    queues = []
    for name in sorted(by_class):
        members = by_class[name]
        rng.shuffle(members)
        queues.append(members)
    rng.shuffle(queues)
    order, depth = [], 0
    while len(order) < len(ids):
        for queue in queues:
            if depth < len(queue):
                order.append(queue[depth])
        depth += 1
    return order


def npz_bytes(arrays: dict) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def mel_arrays(clips: MelClips, picks: list[int]) -> dict:
    pieces = [quantise_mel(clips.mels[k, :, :int(clips.frames[k])]) for k in picks]
    offsets = np.zeros(len(picks) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([p.shape[1] for p in pieces])
    q = np.concatenate(pieces, axis=1) if pieces else np.zeros((64, 0), np.uint8)
    return {"mel_u8": q, "offsets": offsets, "ids": np.array([clips.ids[k] for k in picks], dtype=str)}


def wave_arrays(clips: WaveClips, picks: list[int], samples: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    rows, ids = [], []
    for k in picks:
        crop = clips.crop(rng, k, samples, onset_share=0.5)
        if np.abs(crop).max() < SILENT_PEAK:
            crop = clips.crop(rng, k, samples, onset_share=1.0)
            if np.abs(crop).max() < SILENT_PEAK:
                continue
        rows.append(np.round(crop * 32768.0).clip(-32768, 32767).astype(np.int16))
        ids.append(clips.ids[k])
    wave = np.stack(rows) if rows else np.zeros((0, samples), np.int16)
    return {"wave": wave, "ids": np.array(ids, dtype=str)}


def fit_count(build, total: int, budget: int, probe: int = 200) -> tuple[int, bytes]:
    """The largest prefix count whose compressed npz fits `budget` bytes (estimated, then checked)."""
    if total == 0:
        return 0, npz_bytes(build(0))
    sample = min(total, probe)
    per_item = max(1.0, len(npz_bytes(build(sample))) / sample)
    count = min(total, int(budget / per_item))
    while True:
        blob = npz_bytes(build(count))
        if len(blob) <= budget or count == 0:
            return count, blob
        count = int(count * budget / len(blob) * 0.98)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", type=Path, required=True, help="the data stage's folder (manifest.jsonl, mels_*.npz, audio/)")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--max-mb", type=float, default=55.0, help="total size cap in MiB")
    p.add_argument("--wave-share", type=float, default=0.6, help="share of the cap for vocoder waveform crops")
    p.add_argument("--crop-seconds", type=float, default=0.5, help="vocoder crop length (APNet trains on 0.5 s)")
    p.add_argument("--validation-clips", type=int, default=256, help="mel clips (and wave crops / 4) held out")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)

    budget = int(args.max_mb * 1024 * 1024)
    manifest = read_manifest(args.data)
    args.out.mkdir(parents=True, exist_ok=True)
    samples = int(round(args.crop_seconds * SAMPLE_RATE / 160)) * 160
    files: dict[str, bytes] = {}

    # Held-out parts first (small, fixed), then the train parts share what is left.
    val_mels = MelClips.load(args.data, "validation")
    order = stratified_order(val_mels.ids, manifest, args.seed)[:args.validation_clips]
    files["mel_validation.npz"] = npz_bytes(mel_arrays(val_mels, order))
    del val_mels
    val_waves = WaveClips.load(args.data, "validation")
    order = stratified_order(val_waves.ids, manifest, args.seed)[:max(16, args.validation_clips // 4)]
    files["wave_validation.npz"] = npz_bytes(wave_arrays(val_waves, order, samples, args.seed))
    del val_waves
    left = budget - sum(len(b) for b in files.values()) - 4096
    if left <= 0:
        raise SystemExit(f"--max-mb {args.max_mb} is too small for the validation parts alone")

    train_waves = WaveClips.load(args.data, "train")
    order = stratified_order(train_waves.ids, manifest, args.seed)
    n_waves, files["wave_train.npz"] = fit_count(
        lambda n: wave_arrays(train_waves, order[:n], samples, args.seed + 1), len(order), int(left * args.wave_share))
    del train_waves
    left -= len(files["wave_train.npz"])

    train_mels = MelClips.load(args.data, "train")
    order = stratified_order(train_mels.ids, manifest, args.seed)
    n_mels, files["mel_train.npz"] = fit_count(lambda n: mel_arrays(train_mels, order[:n]), len(order), left)
    total_train_mels = len(train_mels)
    del train_mels

    for name, blob in files.items():
        tmp = args.out / (name + ".tmp")
        tmp.write_bytes(blob)
        tmp.replace(args.out / name)
    counts = {}
    for name in files:
        with zipfile.ZipFile(args.out / name) as z:
            counts[name] = {"bytes": len(files[name]), "members": z.namelist()}
    info = {"format": "foley-devdata-1", "source": str(args.data), "mel_range": [MEL_LOW, MEL_HIGH],
            "crop_samples": samples, "sample_rate": SAMPLE_RATE, "seed": args.seed,
            "train_mel_clips": n_mels, "train_mel_clips_available": total_train_mels,
            "train_wave_crops": int(np.load(args.out / "wave_train.npz")["wave"].shape[0]),
            "train_wave_clips_considered": n_waves, "files": counts,
            "total_mib": round(sum(len(b) for b in files.values()) / 2 ** 20, 2)}
    (args.out / "pack.json").write_text(json.dumps(info, indent=1) + "\n")
    print(json.dumps({k: info[k] for k in ("train_mel_clips", "train_mel_clips_available", "train_wave_crops",
                                           "total_mib")}))


if __name__ == "__main__":
    main()
