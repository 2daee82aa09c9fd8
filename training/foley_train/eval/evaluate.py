"""Evaluate a folder of generated WAVs against their prompts.

    python3 -m foley_train.eval.evaluate --wavs DIR --prompts prompts.json --out report.json
        [--recon recon.json] [--classifier training/cache/eval/classifier.pt] [--data training/cache/data]

prompts.json: a list of {"file": "x.wav", "prompt": "...", "class": "...", "coarse_class": "...",
"pitch": 60 | null, "family": "..."} (or an object mapping file name to such an entry). The report gives
(a) prompt accuracy (fine and coarse) on the generated clips next to the classifier's real-test accuracy;
(b) pitch accuracy (estimated f0 within ±50 cents of the prompted MIDI note) next to the same estimator on
real test notes; (c) the Fréchet distance between generated and real test clips on the classifier's
embeddings next to the real-vs-real floor (two disjoint halves of the real test clips);
(d) reconstruction numbers passed in with --recon, copied verbatim; (e) with --ceiling, the classifier's accuracy
on real test clips sent through the VAE and the vocoder (the most a perfect denoiser could score);
(f) the same accuracies by kind of sound (instrument notes, chords, drum hits, sound effects) and by coarse group,
so a user can see which prompts the model honours.
Pitch is also split by what the prompt says: `named_note` counts the prompts that name the note ("c4", "middle c":
the pipeline's rule, src/pipeline/prompted-note.ts), which is issue 5's "prompted note"; `register_only` the
prompts that give only a register ("a low bass note"), scored against the clip's note as before and, since no note
was asked for, also by whether the f0 lies in the register the word names (data/gm.py: register_word).
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np

from ..data import data_dir
from ..data.audio import load_audio
from ..data.gm import register_word
from ..data.splits import unit_hash
from ..melspec import log_mel_np
from .classifier import Bundle, classifier_path, fit_frames, load_split
from ..prompted_note import prompted_midi
from .f0 import cents_off, estimate_pitch, hz_to_midi
from .frechet import frechet_between

TOLERANCE_CENTS = 50.0


class PromptError(ValueError):
    pass


def read_prompts(path: Path) -> list[dict]:
    with open(path) as handle:
        raw = json.load(handle)
    if isinstance(raw, dict):
        raw = [{"file": name, **entry} for name, entry in raw.items()]
    if not isinstance(raw, list) or not raw:
        raise PromptError(f"{path}: expected a non-empty list of prompt entries")
    for i, entry in enumerate(raw):
        if "file" not in entry:
            raise PromptError(f"{path}: entry {i} has no 'file'")
    return raw


def sound_kind(entry: dict) -> str | None:
    """The user-facing kind of a prompt's clip, from the manifest's family and id (None when the entry has no family)."""
    family = entry.get("family")
    if family is None:
        return None
    if family == "drums":
        return "drum hits"
    if family == "sfx":
        return "sound effects"
    return "chords" if str(entry.get("id", "")).startswith("chord-") else "instrument notes"


def share(rows: list[dict], field: str) -> float | None:
    """The share of the rows that carry `field` in which it is true (None when none carries it)."""
    scored = [r[field] for r in rows if field in r]
    return sum(scored) / len(scored) if scored else None


def breakdown(rows: list[dict], key: str) -> dict:
    """Per value of row[key], largest group first: its clips, and the share of them the classifier heard as the
    prompted fine and coarse class and, over its pitched prompts, within the pitch tolerance."""
    groups: dict = {}
    for row in rows:
        if row.get(key) is not None:
            groups.setdefault(row[key], []).append(row)
    return {name: {"n": len(members), "fine": share(members, "class_correct"),
                   "coarse": share(members, "coarse_correct"),
                   "n_pitched": sum("pitch_correct" in m for m in members), "pitch": share(members, "pitch_correct")}
            for name, members in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))}


def evaluate(wavs: Path, prompts: list[dict], bundle: Bundle, data: Path, recon: dict | None = None,
             ceiling: dict | None = None) -> dict:
    mels, pitches, missing = [], [], []
    for entry in prompts:
        path = wavs / entry["file"]
        if not path.exists():
            missing.append(entry["file"])
            continue
        audio = load_audio(path)
        mels.append(fit_frames(log_mel_np(audio)))
        pitches.append((entry, audio))
    if missing:
        raise PromptError(f"{len(missing)} prompted file(s) missing from {wavs}: {missing[:5]}")
    present = [e for e, _ in pitches]
    fine_pred, coarse_pred, emb = bundle.run(np.stack(mels))
    per_clip = []
    fine_hits = coarse_hits = fine_n = coarse_n = 0
    pitch_hits = pitch_n = pitch_class_hits = 0
    reliable = set(bundle.meta.get("pitch_reliable_classes", []))
    rel_hits = rel_n = 0
    for k, (entry, audio) in enumerate(pitches):
        row = {"file": entry["file"], "prompt": entry.get("prompt"), "class": entry.get("class"),
               "coarse_class": entry.get("coarse_class"), "kind": sound_kind(entry),
               "predicted_class": bundle.fine[fine_pred[k]], "predicted_coarse": bundle.coarse[coarse_pred[k]]}
        if entry.get("class") is not None:
            fine_n += 1
            row["class_correct"] = bool(entry["class"] == row["predicted_class"])
            fine_hits += row["class_correct"]
            if entry["class"] not in bundle.fine_index:
                row["note"] = "class unknown to the classifier"
        if entry.get("coarse_class") is not None:
            coarse_n += 1
            row["coarse_correct"] = bool(entry["coarse_class"] == row["predicted_coarse"])
            coarse_hits += row["coarse_correct"]
        if entry.get("pitch") is not None:
            pitch_n += 1
            hz = estimate_pitch(audio)
            row["f0_hz"] = hz
            if hz is not None:
                off = cents_off(hz, entry["pitch"])
                row["cents_off"] = round(off, 1)
                pitch_hits += abs(off) <= TOLERANCE_CENTS
                pitch_class_hits += abs((off + 600) % 1200 - 600) <= TOLERANCE_CENTS
            row["pitch_correct"] = bool(hz is not None and abs(row["cents_off"]) <= TOLERANCE_CENTS)
            if entry.get("class") in reliable:
                rel_n += 1
                rel_hits += row["pitch_correct"]
            row["names_note"] = prompted_midi(entry.get("prompt") or "") is not None
            if not row["names_note"]:
                row["register_correct"] = bool(hz is not None and register_word(round(hz_to_midi(hz))) == register_word(entry["pitch"]))
        per_clip.append(row)

    named = [r for r in per_clip if r.get("names_note") is True]
    named_reliable = [r for r in named if r["class"] in reliable]
    register_only = [r for r in per_clip if r.get("names_note") is False]

    test_mel, test_rec = load_split(data, "test")
    _, _, real_emb = bundle.run(test_mel)
    halves = np.array([unit_hash("fd-half|" + r["id"]) < 0.5 for r in test_rec])
    fd_gen = frechet_between(emb, real_emb) if len(emb) >= 2 else None
    fd_floor = frechet_between(real_emb[halves], real_emb[~halves])
    # the estimate grows as the sample shrinks: also give the floor for a real set as large as the generated one
    fd_same_n = None
    if 2 <= len(emb) < len(real_emb) - 2:
        rng = np.random.default_rng(0)
        draws = []
        for _ in range(5):
            pick = np.zeros(len(real_emb), bool)
            pick[rng.choice(len(real_emb), len(emb), replace=False)] = True
            draws.append(frechet_between(real_emb[pick], real_emb[~pick]))
        fd_same_n = float(np.mean(draws))
    resynthesized = ceiling
    ceiling = bundle.meta.get("real_test", {})
    report = {
        "generated_clips": len(present),
        "prompt_accuracy": {
            "fine": fine_hits / fine_n if fine_n else None, "coarse": coarse_hits / coarse_n if coarse_n else None,
            "n_fine": fine_n, "n_coarse": coarse_n,
            "real_test_fine": ceiling.get("fine"), "real_test_coarse": ceiling.get("coarse"),
            "real_test_n": ceiling.get("n"),
            "resynthesized_real_test": resynthesized,
        },
        "pitch_accuracy": {
            "within_cents": TOLERANCE_CENTS, "accuracy": pitch_hits / pitch_n if pitch_n else None,
            "pitch_class_accuracy": pitch_class_hits / pitch_n if pitch_n else None, "n_pitched": pitch_n,
            "real_test": bundle.meta.get("real_test_pitch", {}).get("accuracy"),
            "real_test_n": bundle.meta.get("real_test_pitch", {}).get("n"),
            "reliable_classes": "classes whose real clips the estimator measures right (>= 7 of 8)",
            "accuracy_reliable": rel_hits / rel_n if rel_n else None, "n_reliable": rel_n,
            "real_test_reliable": bundle.meta.get("real_test_pitch", {}).get("accuracy_reliable"),
            "named_note": {
                "what": "prompts that name the note (c4, middle c): the prompted note of issue 5",
                "n": len(named), "accuracy": share(named, "pitch_correct"),
                "n_reliable": len(named_reliable), "accuracy_reliable": share(named_reliable, "pitch_correct"),
            },
            "register_only": {
                "what": "prompts that give only a register (low / middle / high): scored against the clip's note, and by register",
                "n": len(register_only), "accuracy": share(register_only, "pitch_correct"),
                "register_accuracy": share(register_only, "register_correct"),
            },
        },
        "frechet": {
            "generated_vs_real_test": fd_gen, "real_vs_real_floor": fd_floor,
            "ratio_to_floor": fd_gen / fd_floor if fd_gen is not None and fd_floor > 0 else None,
            "real_vs_real_floor_same_n": fd_same_n,
            "ratio_to_floor_same_n": fd_gen / fd_same_n if fd_gen is not None and fd_same_n else None,
            "note": "compare with a prompt set whose class mix follows the real test split",
            "n_real_test": len(test_rec), "n_half_a": int(halves.sum()), "n_half_b": int((~halves).sum()),
            "embedding": "classifier penultimate layer (128-d)",
        },
        "reconstruction": recon,
        "classifier": {"path": None, "fine_classes": len(bundle.fine), "coarse_classes": len(bundle.coarse),
                       "trained_on": bundle.meta.get("data"), "train_clips": bundle.meta.get("train_clips")},
        "by_kind": breakdown(per_clip, "kind"),
        "by_coarse_class": breakdown(per_clip, "coarse_class"),
        "per_clip": per_clip,
    }
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wavs", required=True, help="folder of generated WAV files")
    parser.add_argument("--prompts", required=True, help="JSON list of {file, prompt, class, coarse_class, pitch}")
    parser.add_argument("--out", required=True, help="report JSON to write")
    parser.add_argument("--recon", default=None, help="JSON of vocoder/VAE reconstruction numbers to include")
    parser.add_argument("--classifier", default=None, help="classifier checkpoint (default: training/cache/eval/classifier.pt)")
    parser.add_argument("--data", default=None, help="dataset with mels_test.npz (default: training/cache/data)")
    parser.add_argument("--smoke", action="store_true", help="use the smoke dataset and classifier")
    parser.add_argument("--best-of", type=int, default=1,
                        help="the clips were drawn best-of-K by the bundle's scorer (recorded in the report)")
    parser.add_argument("--ceiling", default=None,
                        help="JSON from foley_train.eval.ceiling (real test clips through the VAE and vocoder)")
    args = parser.parse_args(argv)
    try:
        bundle = Bundle.load(Path(args.classifier) if args.classifier else classifier_path(args.smoke))
        recon = None
        if args.recon:
            with open(args.recon) as handle:
                recon = json.load(handle)
        data = Path(args.data) if args.data else data_dir(args.smoke)
        ceiling = json.loads(Path(args.ceiling).read_text()) if args.ceiling else None
        report = evaluate(Path(args.wavs), read_prompts(Path(args.prompts)), bundle, data, recon, ceiling)
    except (PromptError, FileNotFoundError) as err:
        parser.exit(2, f"evaluate: {err}\n")
    report["classifier"]["path"] = str(args.classifier or classifier_path(args.smoke))
    report["candidates_per_clip"] = args.best_of
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w") as handle:
        json.dump(report, handle, indent=1)
    pa, pi, fd = report["prompt_accuracy"], report["pitch_accuracy"], report["frechet"]
    fmt = lambda v: "n/a" if v is None else f"{v:.3f}"  # noqa: E731
    print(f"prompt accuracy: fine {fmt(pa['fine'])} (real test {fmt(pa['real_test_fine'])}), "
          f"coarse {fmt(pa['coarse'])} (real test {fmt(pa['real_test_coarse'])}); "
          f"pitch accuracy {fmt(pi['accuracy_reliable'])} on {pi['n_reliable']} measurable prompts "
          f"(real test {fmt(pi['real_test_reliable'])}), {fmt(pi['accuracy'])} on all {pi['n_pitched']} "
          f"(real test {fmt(pi['real_test'])}); named notes {fmt(pi['named_note']['accuracy_reliable'])} on "
          f"{pi['named_note']['n_reliable']} measurable, {fmt(pi['named_note']['accuracy'])} on all {pi['named_note']['n']}; "
          f"Fréchet {fmt(fd['generated_vs_real_test'])} vs floor {fmt(fd['real_vs_real_floor'])} "
          f"(halves), {fmt(fd['real_vs_real_floor_same_n'])} (same size)")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    raise SystemExit(main())
