"""The evaluation classifier: a small CNN on AudioLDM log-mels, trained only on real clips (train split;
validation split for model selection), predicting the fine class and the coarse class. Its 128-d penultimate
activations are the embedding for the Fréchet distance.

    python3 -m foley_train.eval.classifier [--smoke] [--epochs 8] [--max-minutes 8]
writes training/cache/eval/classifier.pt (weights, class lists, normalisation, real-test metrics).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from ..data import cache_dir, data_dir
from ..melspec import LOG_FLOOR_VALUE

MEL_FRAMES = 400
TIME_POOL = 4
SEED = 1234
PITCH_RELIABLE_SHARE = 0.875  # at least 7 of 8 real clips measured right


def classifier_path(smoke: bool = False) -> Path:
    return cache_dir() / ("smoke/eval" if smoke else "eval") / "classifier.pt"


class MelClassifier(nn.Module):
    """[B, 64, T] log-mel → (fine logits, coarse logits, 128-d embedding)."""

    def __init__(self, n_fine: int, n_coarse: int, width: int = 16, embed: int = 128):
        super().__init__()
        chans = [1, width, 2 * width, 4 * width, 8 * width]
        layers = []
        for i in range(4):
            layers += [nn.Conv2d(chans[i], chans[i + 1], 3, padding=1), nn.BatchNorm2d(chans[i + 1]), nn.ReLU()]
            if i < 3:
                layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        self.project = nn.Sequential(nn.Linear(2 * chans[-1] * 8, embed), nn.ReLU())
        self.fine = nn.Linear(embed, n_fine)
        self.coarse = nn.Linear(embed, n_coarse)

    def forward(self, mel: torch.Tensor):
        x = F.avg_pool1d(mel, TIME_POOL, ceil_mode=True).unsqueeze(1)  # [B, 1, 64, T/4]
        h = self.features(x)  # [B, C, 8, T/32]
        pooled = torch.cat([h.mean(dim=-1), h.amax(dim=-1)], dim=1).flatten(1)
        emb = self.project(pooled)
        return self.fine(emb), self.coarse(emb), emb


def fit_frames(mel: np.ndarray, frames: int = MEL_FRAMES) -> np.ndarray:
    """Crop or pad (with the log floor) a [64, T] mel to [64, frames]."""
    out = np.full((mel.shape[0], frames), LOG_FLOOR_VALUE, dtype=np.float32)
    n = min(frames, mel.shape[1])
    out[:, :n] = mel[:, :n]
    return out


def load_split(data: Path, split: str) -> tuple[np.ndarray, list[dict]]:
    arrays = np.load(data / f"mels_{split}.npz")
    records = {}
    with open(data / "manifest.jsonl") as handle:
        for line in handle:
            rec = json.loads(line)
            records[rec["id"]] = rec
    ids = [str(i) for i in arrays["ids"]]
    return arrays["mel"], [records[i] for i in ids]


class Bundle:
    """A trained classifier with its label lists and input normalisation."""

    def __init__(self, model: MelClassifier, fine: list[str], coarse: list[str], mean: float, std: float, meta: dict):
        self.model, self.fine, self.coarse, self.mean, self.std, self.meta = model, fine, coarse, mean, std, meta
        self.fine_index = {c: i for i, c in enumerate(fine)}
        self.coarse_index = {c: i for i, c in enumerate(coarse)}

    @torch.no_grad()
    def run(self, mels: np.ndarray, batch: int = 256) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """mels [N, 64, T] → (fine predictions, coarse predictions, embeddings [N, 128])."""
        self.model.eval()
        fine, coarse, emb = [], [], []
        for start in range(0, len(mels), batch):
            x = torch.as_tensor(np.asarray(mels[start:start + batch], dtype=np.float32))
            f, c, e = self.model((x - self.mean) / self.std)
            fine.append(f.argmax(1).numpy())
            coarse.append(c.argmax(1).numpy())
            emb.append(e.numpy())
        if not fine:
            return np.zeros(0, int), np.zeros(0, int), np.zeros((0, 128), np.float32)
        return np.concatenate(fine), np.concatenate(coarse), np.concatenate(emb)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        torch.save({"state_dict": self.model.state_dict(), "fine": self.fine, "coarse": self.coarse,
                    "mean": self.mean, "std": self.std, "meta": self.meta}, tmp)
        tmp.replace(path)
        with open(path.with_suffix(".json"), "w") as handle:
            json.dump({"fine_classes": len(self.fine), "coarse_classes": len(self.coarse), **self.meta}, handle, indent=1)

    @classmethod
    def load(cls, path: Path) -> "Bundle":
        if not Path(path).exists():
            raise FileNotFoundError(f"no classifier at {path}: run `training/run.sh eval` "
                                    "(or python3 -m foley_train.eval.classifier) first")
        return cls.from_checkpoint(torch.load(path, map_location="cpu"))

    @classmethod
    def from_checkpoint(cls, ckpt: dict) -> "Bundle":
        model = MelClassifier(len(ckpt["fine"]), len(ckpt["coarse"]))
        model.load_state_dict(ckpt["state_dict"])
        return cls(model, ckpt["fine"], ckpt["coarse"], ckpt["mean"], ckpt["std"], ckpt["meta"])


def accuracy(bundle: Bundle, mels: np.ndarray, records: list[dict]) -> dict:
    fine_pred, coarse_pred, _ = bundle.run(mels)
    fine_true = np.array([bundle.fine_index.get(r["class"], -1) for r in records])
    coarse_true = np.array([bundle.coarse_index.get(r["coarse_class"], -1) for r in records])
    return {"n": len(records), "fine": float(np.mean(fine_pred == fine_true)) if len(records) else None,
            "coarse": float(np.mean(coarse_pred == coarse_true)) if len(records) else None}


def train(data: Path, out: Path, epochs: int, max_minutes: float, batch: int = 64, samples_per_epoch: int = 6000,
          log=print) -> Bundle:
    """Each epoch draws `samples_per_epoch` training clips with probability ∝ 1/√(class count), so rare sound
    classes are seen more often than under uniform sampling (GM notes are most of the data)."""
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    random.seed(SEED)
    torch.set_num_threads(int(os.environ.get("FOLEY_THREADS", "2")))
    train_mel, train_rec = load_split(data, "train")
    val_mel, val_rec = load_split(data, "validation")
    test_mel, test_rec = load_split(data, "test")
    fine = sorted({r["class"] for r in train_rec})
    coarse = sorted({r["coarse_class"] for r in train_rec})
    fi = {c: i for i, c in enumerate(fine)}
    ci = {c: i for i, c in enumerate(coarse)}
    y_fine = torch.tensor([fi[r["class"]] for r in train_rec])
    y_coarse = torch.tensor([ci[r["coarse_class"]] for r in train_rec])
    sample = train_mel[:: max(1, len(train_mel) // 2000)].astype(np.float32)
    mean, std = float(sample.mean()), float(sample.std())
    counts = np.bincount(y_fine.numpy(), minlength=len(fine)).astype(np.float64)
    draw = torch.tensor(1.0 / np.sqrt(counts[y_fine.numpy()]), dtype=torch.float64)
    per_epoch = min(samples_per_epoch, len(train_rec)) if samples_per_epoch else len(train_rec)
    model = MelClassifier(len(fine), len(coarse))
    bundle = Bundle(model, fine, coarse, mean, std, {})
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    steps_per_epoch = (per_epoch + batch - 1) // batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=epochs * steps_per_epoch)
    gen = torch.Generator().manual_seed(SEED)
    start = time.time()
    best = (-1.0, None, 0)
    for epoch in range(epochs):
        model.train()
        order = torch.multinomial(draw, per_epoch, replacement=True, generator=gen)
        total = 0.0
        for step in range(steps_per_epoch):
            idx = order[step * batch:(step + 1) * batch].numpy()
            x = torch.as_tensor(train_mel[np.sort(idx)].astype(np.float32))
            idx_sorted = torch.as_tensor(np.sort(idx))
            # gain augmentation: ±6 dB is an additive offset in the log domain, floored like real silence
            gain = (torch.rand(len(idx), 1, 1, generator=gen) - 0.5) * 2 * np.log(2.0)
            x = torch.clamp(x + gain, min=LOG_FLOOR_VALUE)
            f, c, _ = model((x - mean) / std)
            loss = F.cross_entropy(f, y_fine[idx_sorted]) + 0.5 * F.cross_entropy(c, y_coarse[idx_sorted])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss)
        val = accuracy(bundle, val_mel, val_rec)
        elapsed = (time.time() - start) / 60
        log(f"epoch {epoch + 1}/{epochs}: loss {total / steps_per_epoch:.3f}, validation fine {val['fine']:.3f} "
            f"coarse {val['coarse']:.3f}, {elapsed:.1f} min")
        if val["fine"] > best[0]:
            best = (val["fine"], {k: v.clone() for k, v in model.state_dict().items()}, epoch + 1)
        if elapsed > max_minutes:
            log(f"stopping: time budget of {max_minutes} min reached")
            break
    model.load_state_dict(best[1])
    test = accuracy(bundle, test_mel, test_rec)
    bundle.meta = {"best_epoch": best[2], "validation": accuracy(bundle, val_mel, val_rec), "real_test": test,
                   "train_clips": len(train_rec), "train_minutes": round((time.time() - start) / 60, 2),
                   "data": str(data), "seed": SEED}
    log(f"real test accuracy: fine {test['fine']:.3f}, coarse {test['coarse']:.3f} on {test['n']} clips")
    return bundle


def pitch_reliability(data: Path, records: list[dict], per_class: int = 8) -> dict[str, float]:
    """Share of real clips per class whose f0 estimate is within ±50 cents of the labelled note.

    Some instruments sound a pitch other than the key they are played with (guitar harmonics, organs with
    sub-octave stops, "fifths" leads, timpani and tuned percussion whose samples do not track the key):
    pitch is only scored for classes where the estimator agrees with the label on real clips."""
    from ..data.audio import read_wav
    from .f0 import pitch_correct

    by_class: dict[str, list[dict]] = {}
    for rec in records:
        if rec.get("pitch") is not None:
            by_class.setdefault(rec["class"], []).append(rec)
    out = {}
    for cls, items in sorted(by_class.items()):
        items = [r for r in items if (data / "audio" / f"{r['id']}.wav").exists()]  # see skip note in training/README.md
        if not items:
            continue
        picked = items[:: max(1, len(items) // per_class)][:per_class]
        hits = [pitch_correct(read_wav(data / "audio" / f"{r['id']}.wav"), r["pitch"])[0] for r in picked]
        out[cls] = sum(hits) / len(hits)
    return out


def real_test_pitch_accuracy(data: Path, records: list[dict], reliable: set[str] | None = None,
                             limit: int | None = None) -> dict:
    """The pitch ceiling: the estimator on real test notes with a known pitch (all, and reliable classes)."""
    from ..data.audio import read_wav
    from .f0 import pitch_correct

    pitched = [r for r in records if r.get("pitch") is not None and (data / "audio" / f"{r['id']}.wav").exists()]
    if limit:
        pitched = pitched[:: max(1, len(pitched) // limit)]
    hits = {r["id"]: pitch_correct(read_wav(data / "audio" / f"{r['id']}.wav"), r["pitch"])[0] for r in pitched}
    result = {"n": len(pitched), "accuracy": sum(hits.values()) / len(pitched) if pitched else None}
    if reliable is not None:
        kept = [r for r in pitched if r["class"] in reliable]
        result["n_reliable"] = len(kept)
        result["accuracy_reliable"] = sum(hits[r["id"]] for r in kept) / len(kept) if kept else None
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="train on the smoke dataset, 2 epochs")
    parser.add_argument("--data", default=None, help="data directory (default: the data stage's output)")
    parser.add_argument("--out", default=None, help="checkpoint path (default: training/cache/eval/classifier.pt)")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--samples-per-epoch", type=int, default=6000)
    parser.add_argument("--max-minutes", type=float, default=20.0)
    parser.add_argument("--pitch-limit", type=int, default=0, help="use only about this many real test notes for the pitch ceiling (0: all)")
    parser.add_argument("--pitch-only", action="store_true", help="keep the trained weights; recompute the pitch figures")
    args = parser.parse_args(argv)
    data = Path(args.data) if args.data else data_dir(args.smoke)
    out = Path(args.out) if args.out else classifier_path(args.smoke)
    if not (data / "mels_train.npz").exists():
        parser.error(f"{data}/mels_train.npz is missing: run `training/run.sh data{' --smoke' if args.smoke else ''}` first")
    if args.pitch_only:
        bundle = Bundle.load(out)
    else:
        bundle = train(data, out, 2 if args.smoke else args.epochs, args.max_minutes,
                       samples_per_epoch=args.samples_per_epoch)
        bundle.save(out)  # the weights are kept even if the pitch figures below fail
    _, test_rec = load_split(data, "test")
    _, train_rec = load_split(data, "train")
    t = time.time()
    reliability = pitch_reliability(data, train_rec)
    reliable = sorted(c for c, share in reliability.items() if share >= PITCH_RELIABLE_SHARE)
    bundle.meta["pitch_reliability"] = reliability
    bundle.meta["pitch_reliable_classes"] = reliable
    print(f"pitch: {len(reliable)} of {len(reliability)} pitched classes measurable (estimator right on "
          f">= {PITCH_RELIABLE_SHARE:.0%} of real train clips); unreliable: "
          f"{sorted(set(reliability) - set(reliable))}")
    bundle.meta["real_test_pitch"] = real_test_pitch_accuracy(data, test_rec, set(reliable), args.pitch_limit or None)
    print(f"real test pitch accuracy: {bundle.meta['real_test_pitch']} ({time.time() - t:.0f} s)")
    bundle.save(out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    raise SystemExit(main())
