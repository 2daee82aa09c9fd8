"""Train the mel VAE (vae.py) on log-mel crops.

    python3 -m foley_train.train_vae --data training/cache/data --out training/checkpoints/vae --steps 3000

`--data` is the data stage's folder or a pack (pack.py). Writes to `--out`: `checkpoint.pt` (weights, optimizer,
step; every `--ckpt-every` steps and at the end; `--resume` continues from it; `--init vae.pt` starts from
weights only, with a fresh optimizer), `log.jsonl` (one JSON object per
logged step and per evaluation), and at the end `vae.pt` (weights only, with the latent scaling factor) and
`summary.json`. The learning rate follows a cosine over `--steps` (so a resumed run with more steps stretches it).

This module also holds the run plumbing shared with train_vocoder.py (device, logging, checkpoints, schedule).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import time
from contextlib import nullcontext
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # 2 threads on a shared 2-core machine (training-feasibility.md)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from .datasets import MelClips  # noqa: E402
from .vae import (SMOKE_CONFIG, MelVAE, VAEConfig, VAELossWeights, config_dict, count_parameters,  # noqa: E402
                  latent_scaling_factor, save_weights, torch_load, vae_loss)


# --- shared run plumbing -------------------------------------------------------------------------------------

def pick_device(name: str) -> torch.device:
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(name)
    if device.type == "cpu":
        torch.set_num_threads(int(os.environ.get("FOLEY_THREADS", "2")))
    return device


def add_run_arguments(p: argparse.ArgumentParser, steps: int, batch: int, lr: float) -> None:
    p.add_argument("--data", type=Path, required=True, help="data stage folder or a pack from pack.py")
    p.add_argument("--out", type=Path, required=True, help="folder for checkpoint.pt, log.jsonl and the weights")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--steps", type=int, default=steps)
    p.add_argument("--batch-size", type=int, default=batch)
    p.add_argument("--lr", type=float, default=lr)
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--minutes", type=float, default=0.0, help="stop (and save) after this much wall time; 0 = none")
    p.add_argument("--smoke", action="store_true", help="a tiny model for a few steps (CI)")
    p.add_argument("--resume", action="store_true", help="continue from --out/checkpoint.pt")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--log-every", type=int, default=25)
    p.add_argument("--eval-every", type=int, default=250)
    p.add_argument("--ckpt-every", type=int, default=250)
    p.add_argument("--amp", action="store_true", help="bf16 autocast on CUDA")


def learning_rate(step: int, total: int, peak: float, warmup: int) -> float:
    if warmup > 0 and step < warmup:
        return peak * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return peak * (0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * progress)))


def autocast(device: torch.device, enabled: bool):
    if enabled and device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return nullcontext()


def schedule_step(step: int, args, started: float) -> int:
    """The step the learning-rate schedule sees: with `--minutes`, the cosine also advances with wall time, so a
    run cut by its time limit still ends annealed."""
    if args.minutes <= 0:
        return step
    return max(step, int(args.steps * (time.time() - started) / (args.minutes * 60)))


class JsonLog:
    def __init__(self, path: Path, echo: bool = True):
        self.path = path
        self.echo = echo

    def write(self, record: dict) -> None:
        line = json.dumps({k: (round(v, 6) if isinstance(v, float) else v) for k, v in record.items()})
        with open(self.path, "a") as handle:
            handle.write(line + "\n")
        if self.echo:
            print(line, flush=True)


def save_checkpoint(path: Path, model: torch.nn.Module, optimizer, step: int, config: dict, extra: dict) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step, "config": config,
                **extra}, tmp)
    tmp.replace(path)


def load_checkpoint(path: Path, model: torch.nn.Module, optimizer, device: torch.device) -> dict:
    state = torch_load(path)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    for group in optimizer.state.values():
        for key, value in group.items():
            if torch.is_tensor(value):
                group[key] = value.to(device)
    return state


# --- VAE -------------------------------------------------------------------------------------------------------

@torch.no_grad()
def evaluate(vae: MelVAE, batches: list[torch.Tensor]) -> float:
    """Mean held-out L1 of log-mel reconstructions from the latent mean (eval mode: output clamped to the floor)."""
    vae.eval()
    total, count = 0.0, 0
    for mel in batches:
        recon = vae.decode(vae.encode(mel)[0])
        total += (recon - mel).abs().sum().item()
        count += mel.numel()
    vae.train()
    return total / count


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description="Train the mel VAE")
    add_run_arguments(p, steps=3000, batch=32, lr=5e-4)
    p.add_argument("--min-frames", type=int, default=64)
    p.add_argument("--max-frames", type=int, default=256)
    p.add_argument("--channels", type=int, nargs=3, default=None, help="channels per level (default 32 64 128)")
    p.add_argument("--blocks", type=int, nargs=3, default=None, help="ResBlocks per level (default 0 1 2)")
    p.add_argument("--kl", type=float, default=VAELossWeights.kl)
    p.add_argument("--detail", type=float, default=VAELossWeights.detail)
    p.add_argument("--val-clips", type=int, default=128)
    p.add_argument("--scale-clips", type=int, default=512, help="train clips used for the latent scaling factor")
    p.add_argument("--init", type=str, default=None, help="start from these weights (vae.pt) with a fresh optimizer")
    args = p.parse_args(argv)
    if args.smoke:
        args.steps = min(args.steps, 4)
        args.batch_size, args.min_frames, args.max_frames = 2, 16, 32
        args.val_clips, args.scale_clips, args.warmup = 4, 4, 0
        args.eval_every = args.ckpt_every = args.log_every = 2

    device = pick_device(args.device)
    torch.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    log = JsonLog(args.out / "log.jsonl")

    cfg_kwargs = dict(SMOKE_CONFIG) if args.smoke else {}
    if args.channels:
        cfg_kwargs["channels"] = tuple(args.channels)
    if args.blocks:
        cfg_kwargs["blocks"] = tuple(args.blocks)
    ckpt_path = args.out / "checkpoint.pt"
    resume_state = torch_load(ckpt_path) if args.resume and ckpt_path.exists() else None
    init_state = torch_load(args.init) if args.init and not resume_state else None
    if resume_state or init_state:
        config = VAEConfig(**(resume_state or init_state)["config"])
    else:
        config = VAEConfig(**cfg_kwargs)
    vae = MelVAE(config).to(device)
    optimizer = torch.optim.AdamW(vae.parameters(), lr=args.lr, betas=(0.9, 0.99), weight_decay=1e-4)
    step = 0
    if resume_state:
        step = load_checkpoint(ckpt_path, vae, optimizer, device)["step"]
        print(f"resumed from {ckpt_path} at step {step}")
    elif init_state:
        vae.load_state_dict(init_state["state_dict"])
        print(f"initialised from {args.init}")
    weights = VAELossWeights(kl=args.kl, detail=args.detail)

    train = MelClips.load(args.data, "train")
    val = MelClips.load(args.data, "validation", limit=args.val_clips)
    val_rng = np.random.default_rng(1234)
    val_batches = [torch.from_numpy(val.crop_batch(val_rng, min(16, len(val)), 128 if not args.smoke else 32)).to(device)
                   for _ in range(max(1, len(val) // 16))]
    log.write({"event": "start", "params": count_parameters(vae), "config": config_dict(config), "device": str(device),
               "train_clips": len(train), "val_clips": len(val), "step": step, "steps": args.steps,
               "batch_size": args.batch_size, "torch": torch.__version__})

    rng = np.random.default_rng(args.seed + step)
    started = time.time()
    vae.train()
    last_saved = step
    while step < args.steps:
        lr = learning_rate(schedule_step(step, args, started), args.steps, args.lr, args.warmup)
        for group in optimizer.param_groups:
            group["lr"] = lr
        length = train.random_length(rng, args.min_frames, args.max_frames)
        # --batch-size counts crops of --max-frames: shorter crops come in larger batches (same work per step)
        batch = max(2, int(round(args.batch_size * args.max_frames / length)))
        mel = torch.from_numpy(train.crop_batch(rng, batch, length)).to(device)
        with autocast(device, args.amp):
            loss, parts = vae_loss(vae, mel, weights)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(vae.parameters(), 1.0)
        optimizer.step()
        step += 1
        if step % args.log_every == 0 or step == 1:
            log.write({"step": step, "lr": lr, "frames": length, **parts, "sec": round(time.time() - started, 1)})
        out_of_time = args.minutes > 0 and time.time() - started > args.minutes * 60
        if step % args.eval_every == 0 or step == args.steps or out_of_time:
            log.write({"step": step, "val_l1": evaluate(vae, val_batches)})
        if step % args.ckpt_every == 0 or step == args.steps or out_of_time:
            save_checkpoint(ckpt_path, vae, optimizer, step, config_dict(config), {"kind": "foley-mel-vae"})
            last_saved = step
        if out_of_time:
            log.write({"event": "time limit", "step": step})
            break
    if last_saved != step:
        save_checkpoint(ckpt_path, vae, optimizer, step, config_dict(config), {"kind": "foley-mel-vae"})

    # Latent scaling factor on full-length training clips (the diffusion model sees whole clips).
    vae.eval()
    picks = np.random.default_rng(7).permutation(len(train))[:args.scale_clips]
    width = train.max_frames - train.max_frames % 4
    scale_batches = (torch.from_numpy(train.mels[picks[i:i + 16], None, :, :width].astype(np.float32)).to(device)
                     for i in range(0, len(picks), 16))
    scaling = latent_scaling_factor(vae, scale_batches)
    vae.scaling_factor.fill_(scaling)
    save_weights(args.out / "vae.pt", vae.cpu())
    val_l1 = evaluate(vae.to(device), val_batches)
    summary = {"step": step, "val_l1": val_l1, "scaling_factor": scaling, "params": count_parameters(vae),
               "minutes": round((time.time() - started) / 60, 2), "config": config_dict(config)}
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    log.write({"event": "done", **summary})


if __name__ == "__main__":
    main()
