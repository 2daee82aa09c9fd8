"""A sound-class classifier on VAE latents, for the denoiser's class loss (train_diffusion --class-loss-weight).

It reads the UNet-scale latents the denoiser predicts, so it learns on real encoded latents with noise added (the
denoiser's x̂0 is blurrier than an encoding). It is trained on the train split only, like everything the generator
uses; the evaluator's classifier (eval/classifier.py) is a separate model on log-mels.

    python3 -m foley_train.latent_classifier --latents training/cache/checkpoints/latents --data training/cache/data \\
        --out training/cache/checkpoints/latent_classifier [--minutes 8] [--smoke]
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .train_scorer import LatentAudioEncoder

SEED = 4321


class LatentClassifier(nn.Module):
    """Latent [B, C, F, T'] → fine-class logits [B, K] (the scorer's audio tower shape with a class head)."""

    def __init__(self, in_channels: int, freq_bins: int, n_classes: int, width: int = 160, blocks: int = 4):
        super().__init__()
        self.config = {"in_channels": in_channels, "freq_bins": freq_bins, "n_classes": n_classes, "width": width,
                       "blocks": blocks}
        self.tower = LatentAudioEncoder(in_channels, freq_bins, width, blocks, out_dim=2 * width)
        self.head = nn.Sequential(nn.GELU(), nn.Dropout(0.1), nn.Linear(2 * width, n_classes))

    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        mask = torch.ones(latent.shape[0], latent.shape[-1], device=latent.device)
        return self.head(self.tower(latent, mask))


def pgd_perturbation(model: nn.Module, latent: torch.Tensor, labels: torch.Tensor, eps: float, steps: int) -> torch.Tensor:
    """Projected gradient ascent on the cross-entropy within an L∞ ball of radius `eps` (Madry et al. 2018, "Towards
    Deep Learning Models Resistant to Adversarial Attacks", §2, the PGD attack): the perturbation δ, |δ| ≤ eps
    everywhere, that a reader trained on latent + δ must also read right. The UNet's class loss then cannot satisfy
    the reader with changes that small."""
    delta = torch.zeros_like(latent, requires_grad=True)
    step_size = 2.5 * eps / steps
    for _ in range(steps):
        loss = F.cross_entropy(model(latent + delta), labels)
        (grad,) = torch.autograd.grad(loss, delta)
        with torch.no_grad():
            delta += step_size * grad.sign()
            delta.clamp_(-eps, eps)
    return delta.detach()


def load(path: Path, device: torch.device | str = "cpu") -> tuple[LatentClassifier, list[str]]:
    state = torch.load(path, map_location=device)
    model = LatentClassifier(**state["config"])
    model.load_state_dict(state["state_dict"])
    return model.to(device).eval(), state["classes"]


def split(latents: Path, manifest: dict, name: str):
    data = np.load(latents / f"latents_{name}.npz", allow_pickle=False)
    ids = [str(i) for i in data["ids"]]
    return torch.from_numpy(data["latents"].astype(np.float32)), torch.from_numpy(data["frames"].astype(np.int64)), \
        [manifest[i]["class"] for i in ids]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--latents", type=Path, required=True)
    p.add_argument("--data", type=Path, required=True, help="folder with manifest.jsonl")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--minutes", type=float, default=8.0)
    p.add_argument("--steps", type=int, default=6000)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--max-noise", type=float, default=0.5,
                   help="training latents get Gaussian noise of a std drawn uniformly from [0, this]; a larger value "
                        "makes a reader of noisier latents (run 17's second reader: 1.0, seed 4322)")
    p.add_argument("--adversarial-eps", type=float, default=0.0,
                   help="train on PGD-perturbed latents (L∞ radius in latent units; 0 = off), so the reader is not "
                        "satisfied by small changes (the class loss's UNet learned such changes: model-card notes)")
    p.add_argument("--adversarial-steps", type=int, default=3)
    p.add_argument("--width", type=int, default=160)
    p.add_argument("--blocks", type=int, default=4)
    p.add_argument("--smoke", action="store_true", help="a few steps (CI)")
    args = p.parse_args(argv)
    torch.manual_seed(args.seed)
    torch.set_num_threads(int(os.environ.get("FOLEY_THREADS", "2")))
    manifest = {}
    with open(args.data / "manifest.jsonl") as handle:
        for line in handle:
            row = json.loads(line)
            manifest[row["id"]] = row
    x, frames, labels = split(args.latents, manifest, "train")
    classes = sorted(set(labels))
    index = {c: n for n, c in enumerate(classes)}
    y = torch.tensor([index[c] for c in labels])
    val_path = args.latents / "latents_validation.npz"
    val = split(args.latents, manifest, "validation") if val_path.exists() else None
    steps = 20 if args.smoke else args.steps
    model = LatentClassifier(x.shape[1], x.shape[2], len(classes), width=args.width, blocks=args.blocks)
    counts = torch.bincount(y, minlength=len(classes)).double()
    draw = 1.0 / counts[y].sqrt()  # rare classes more often (GM notes are most of the data), as the evaluator does
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    gen = torch.Generator().manual_seed(args.seed)
    start = time.time()
    multiple = model.tower.time_multiple
    for step in range(steps):
        idx = torch.multinomial(draw, args.batch_size, replacement=True, generator=gen)
        length = int(torch.randint(16 // multiple, x.shape[-1] // multiple + 1, (1,), generator=gen)) * multiple
        batch = x[idx, :, :, :length]
        sigma = torch.rand(len(idx), 1, 1, 1, generator=gen) * args.max_noise
        batch = batch + sigma * torch.randn(batch.shape, generator=gen)
        if args.adversarial_eps > 0:
            batch = batch + pgd_perturbation(model, batch, y[idx], args.adversarial_eps, args.adversarial_steps)
        loss = F.cross_entropy(model(batch), y[idx], label_smoothing=0.05)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 500 == 0:
            print(f"step {step}: loss {float(loss):.3f}, {(time.time() - start) / 60:.1f} min", flush=True)
        if args.minutes and (time.time() - start) / 60 > args.minutes:
            break
    model.eval()
    result = {"class_count": len(classes), "seed": args.seed, "max_noise": args.max_noise, "adversarial_eps": args.adversarial_eps, "steps": step + 1, "train_minutes": round((time.time() - start) / 60, 2)}
    if val is not None:
        vx, _, vlabels = val
        known = [n for n, c in enumerate(vlabels) if c in index]
        with torch.no_grad():
            pred = torch.cat([model(vx[known[s:s + 256]]).argmax(1) for s in range(0, len(known), 256)])
        result["validation_accuracy"] = float((pred == torch.tensor([index[vlabels[n]] for n in known])).float().mean())
    args.out.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": model.state_dict(), "config": model.config, "classes": classes, **result},
               args.out / "latent_classifier.pt")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    raise SystemExit(main())
