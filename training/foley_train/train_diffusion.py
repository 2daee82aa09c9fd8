"""Train the text encoder and the latent denoiser jointly (v-prediction, classifier-free guidance dropout).

Input: VAE latents of the dataset (`encode_latents.py` writes latents.npz) and the manifest's captions.
Output (in --out): checkpoint.pt (resumable), diffusion.pt (weights only: EMA weights, configs, tokenizer),
log.jsonl. Runs on CPU (torch 1.13, 2 threads) or CUDA (torch 2.x).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .diffusion_model import (SCHEDULER_CONFIG, TextEncoder, TextEncoderConfig, UNet1D, UNetConfig,
                              alphas_cumprod, config_dict)
from .tokenizer import WordTokenizer

MIN_SNR_GAMMA = 5.0  # Hang et al. 2023, "Efficient Diffusion Training via Min-SNR Weighting Strategy", eq. 8


def pick_device(name: str) -> torch.device:
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(name)


def load_manifest(path: Path) -> dict[str, dict]:
    rows = {}
    with open(path) as f:
        for line in f:
            row = json.loads(line)
            rows[row["id"]] = row
    return rows


class LatentData:
    """All latents and tokenised captions of one split, held on the training device."""

    def __init__(self, latents_path: Path, manifest: dict[str, dict], tokenizer: WordTokenizer, device: torch.device,
                 captions_per_clip: int = 5):
        data = np.load(latents_path, allow_pickle=False)
        self.latents = torch.from_numpy(data["latents"].astype(np.float16)).to(device)  # [N, C, F, T]
        self.frames = torch.from_numpy(data["frames"].astype(np.int64)).to(device)
        ids = [str(i) for i in data["ids"]]
        tokens = np.zeros((len(ids), captions_per_clip, tokenizer.max_length), dtype=np.int64)
        for n, clip_id in enumerate(ids):
            captions = manifest[clip_id]["captions"]
            for k in range(captions_per_clip):
                tokens[n, k] = tokenizer.encode(captions[k % len(captions)])
        self.tokens = torch.from_numpy(tokens).to(device)
        self.count = len(ids)
        self.clip_ids = ids
        self.max_frames = self.latents.shape[-1]


def v_target(x0: torch.Tensor, noise: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    """v = √ᾱ·ε − √(1−ᾱ)·x0 (Salimans & Ho 2022, eq. in §4)."""
    return a.sqrt() * noise - (1 - a).sqrt() * x0


def sample_batch(data: LatentData, batch_size: int, multiple: int, generator: torch.Generator, uncond_prob: float):
    device = data.latents.device
    idx = torch.randint(0, data.count, (batch_size,), generator=generator).to(device)
    # One crop length per batch, a multiple of the UNet's time quantum, from 0.64 s up to the clip cap.
    lo = max(multiple, 16)
    length = int(torch.randint(lo // multiple, data.max_frames // multiple + 1, (1,), generator=generator)) * multiple
    start = torch.zeros(batch_size, dtype=torch.long)
    offset_mask = torch.rand(batch_size, generator=generator) < 0.15  # some crops start mid-sound (continuation)
    max_start = (data.frames[idx].cpu() - length).clamp(min=0)
    start[offset_mask] = (torch.rand(int(offset_mask.sum()), generator=generator) * (max_start[offset_mask] + 1)).long()
    positions = start[:, None].to(device) + torch.arange(length, device=device)[None]
    positions = positions.clamp(max=data.max_frames - 1)
    x0 = data.latents[idx]  # [B, C, F, T]
    x0 = torch.gather(x0, 3, positions[:, None, None, :].expand(-1, x0.shape[1], x0.shape[2], -1)).float()
    k = torch.randint(0, data.tokens.shape[1], (batch_size,), generator=generator).to(device)
    ids = data.tokens[idx, k]
    drop = (torch.rand(batch_size, generator=generator) < uncond_prob).to(device)
    ids = torch.where(drop[:, None], torch.zeros_like(ids), ids)
    return x0, ids, idx, drop


def trim_padding(ids: torch.Tensor) -> torch.Tensor:
    """Drop all-padding tail columns (captions fill about a third of max_length; the masked encoder's output is the
    same either way)."""
    nonzero = (ids != 0).any(0).nonzero()
    return ids[:, : int(nonzero.max()) + 1] if len(nonzero) else ids[:, :1]


def sample_timesteps(batch_size: int, steps: int, high_noise_share: float, generator: torch.Generator) -> torch.Tensor:
    """Uniform training timesteps, except that a share of the batch is drawn from the noisier half only: the sound's
    class is decided there (guiding only the first half of the sampling steps kept all of CFG's gain)."""
    t = torch.randint(0, steps, (batch_size,), generator=generator)
    if high_noise_share <= 0:
        return t  # the plain recipe draws nothing more, so its random stream is unchanged
    high = torch.randint(steps // 2, steps, (batch_size,), generator=generator)
    return torch.where(torch.rand(batch_size, generator=generator) < high_noise_share, high, t)


def diffusion_loss(unet, text_encoder, x0, ids, acp: torch.Tensor, generator: torch.Generator, t=None,
                   high_noise_share: float = 0.0, return_x0: bool = False):
    b = x0.shape[0]
    if t is None:
        t = sample_timesteps(b, acp.shape[0], high_noise_share, generator).to(x0.device)
    a = acp[t].float()[:, None, None, None]
    noise = torch.randn(x0.shape, generator=generator).to(x0.device)
    xt = a.sqrt() * x0 + (1 - a).sqrt() * noise
    pred = unet(xt, t.float(), text_encoder(trim_padding(ids)))
    snr = a / (1 - a)
    # Min-SNR-γ caps the weight of the low-noise steps; the "+1" keeps the plain v-loss weight (1) at high noise,
    # where the plain min-SNR v weight min(SNR, γ)/(SNR + 1) falls to ~SNR ≈ 0 and the text condition, which only
    # matters there, went untrained (measured: conditional and unconditional predictions 1 % apart at step 2000).
    weight = (torch.clamp(snr, max=MIN_SNR_GAMMA) + 1) / (snr + 1)
    loss = (weight * (pred - v_target(x0, noise, a)) ** 2).mean()
    if not return_x0:
        return loss
    return loss, a.sqrt() * xt - (1 - a).sqrt() * pred  # x̂0 from v (Salimans & Ho 2022, §4)


class ClassLoss:
    """Cross-entropy of the sound class of the denoised estimate x̂0, read by frozen latent classifiers
    (latent_classifier.py, trained on real train latents): pushes the UNet's x̂0 to sound like its prompt's class at
    every noise level, which the plain v-loss, dominated by detail, weighs little. With several readers the term is
    their mean. One reader gets satisfied by details the evaluator does not hear (run 15's clips: 0.92 right to the
    reader, 0.68 to the evaluator); a second reader of the same design, another seed and noisier training latents
    did not fix that (run 17 gamed both), so the shipped UNet was trained against one."""

    def __init__(self, classifier_paths: list[Path], manifest: dict, clip_ids: list[str], device: torch.device):
        from .latent_classifier import load
        self.classifiers = []
        self.clip_class = []
        for path in classifier_paths:
            classifier, classes = load(path, device)
            classifier.requires_grad_(False)
            index = {c: n for n, c in enumerate(classes)}
            missing = sorted({manifest[i]["class"] for i in clip_ids} - set(index))
            if missing:
                raise SystemExit(f"{path} does not know the classes {missing[:5]}: retrain it on this dataset")
            self.classifiers.append(classifier)
            self.clip_class.append(torch.tensor([index[manifest[i]["class"]] for i in clip_ids], device=device))

    def __call__(self, x0_hat: torch.Tensor, idx: torch.Tensor, dropped: torch.Tensor) -> torch.Tensor:
        keep = ~dropped  # the unconditional rows have no class to ask for
        if not bool(keep.any()):
            return x0_hat.sum() * 0.0
        terms = [F.cross_entropy(c(x0_hat[keep]), labels[idx[keep]]) for c, labels in zip(self.classifiers, self.clip_class)]
        return torch.stack(terms).mean()

    @torch.no_grad()
    def real_accuracy(self, latents: torch.Tensor, idx: torch.Tensor) -> list[float]:
        """Each reader's accuracy on real latents: the most the term can ask for."""
        return [float((c(latents).argmax(1) == labels[idx]).float().mean()) for c, labels in zip(self.classifiers, self.clip_class)]


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data", type=Path, required=True, help="folder with manifest.jsonl")
    p.add_argument("--latents", type=Path, required=True, help="folder with latents_train.npz, latents_validation.npz")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--device", default="auto")
    p.add_argument("--steps", type=int, default=12000)
    p.add_argument("--minutes", type=float, default=0.0, help="stop (and save) after this wall time; 0 = no limit")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=3e-4)
    p.add_argument("--ema", type=float, default=0.999)
    p.add_argument("--uncond-prob", type=float, default=0.1)
    p.add_argument("--high-noise-share", type=float, default=0.0,
                   help="share of each batch whose timestep is drawn from the noisier half only (0: all uniform)")
    p.add_argument("--class-loss-weight", type=float, default=0.0,
                   help="weight of the sound-class cross-entropy of x̂0 (ClassLoss, read by --class-loss-classifier); "
                        "0 = the plain v-loss")
    p.add_argument("--class-loss-classifier", type=Path, nargs="+", default=None,
                   help="latent_classifier.pt (python3 -m foley_train.latent_classifier) for --class-loss-weight; "
                        "several: the term is their mean")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--smoke", action="store_true", help="a few steps of a tiny model (CI)")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--include-gpl", action="store_true", help="also train on GPL-licensed clips")
    p.add_argument("--channels", type=int, nargs=3, default=None, help="UNet channels per level (default 64 128 192)")
    p.add_argument("--init", type=Path, default=None,
                   help="start from these weights (diffusion.pt, or the committed training/checkpoints/foley-small-weights.pt)")
    p.add_argument("--text-encoder", type=Path, default=None,
                   help="scorer.pt from train_scorer: take its text tower and keep it frozen (the UNet's text pathway is "
                        "re-learned on it)")
    p.add_argument("--input-skip", action=argparse.BooleanOptionalAction, default=True,
                   help="the UNet's per-element noise path (UNetConfig.input_skip); --no-input-skip for the old layout")
    p.add_argument("--text-lr-scale", type=float, default=2.0,
                   help="learning-rate multiple for the UNet's text projection and FiLM layers")
    args = p.parse_args(argv)

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    device = pick_device(args.device)
    if device.type == "cpu":
        torch.set_num_threads(int(os.environ.get("FOLEY_THREADS", "2")))
    else:
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)

    manifest = load_manifest(args.data / "manifest.jsonl")
    train_captions = [c for row in manifest.values() if row["split"] == "train" for c in row["captions"]]
    tokenizer = WordTokenizer.build(train_captions)
    text_config = TextEncoderConfig(vocab_size=len(tokenizer.vocab), max_length=tokenizer.max_length)
    scorer = None
    if args.text_encoder is not None:
        scorer = torch.load(args.text_encoder, map_location="cpu")
        if scorer["tokenizer"] != tokenizer.to_json():
            raise SystemExit(f"--text-encoder {args.text_encoder}: its tokenizer differs from this dataset's captions")
        text_config = TextEncoderConfig(**{**scorer["text_config"], "normalize_output": True})
    unet_config = UNetConfig(channels=tuple(args.channels)) if args.channels else UNetConfig()
    if args.smoke:
        text_config = TextEncoderConfig(vocab_size=len(tokenizer.vocab), width=32, layers=1, heads=2, hidden_size=32)
        unet_config = UNetConfig(channels=(32, 32, 32), layers_per_block=1, cond_dim=32, cross_attention_dim=32, groups=8)
        args.steps = min(args.steps, 20)
        args.batch_size = min(args.batch_size, 4)
    unet_config.input_skip = args.input_skip

    train = LatentData(args.latents / "latents_train.npz", manifest, tokenizer, device)
    val_path = args.latents / "latents_validation.npz"
    val = LatentData(val_path, manifest, tokenizer, device) if val_path.exists() else None
    if unet_config.in_channels != train.latents.shape[1] or unet_config.freq_bins != train.latents.shape[2]:
        unet_config.in_channels, unet_config.freq_bins = int(train.latents.shape[1]), int(train.latents.shape[2])

    text_encoder = TextEncoder(text_config).to(device)
    unet = UNet1D(unet_config).to(device)
    frozen_text = scorer is not None
    if frozen_text:
        text_encoder.load_state_dict(scorer["text_encoder"])
        text_encoder.requires_grad_(False)
    params = ([] if frozen_text else list(text_encoder.parameters())) + list(unet.parameters())
    ema = [q.detach().clone() for q in params]
    text_path = {id(q) for name, q in unet.named_parameters() if name.startswith("text_proj") or ".film." in name}
    groups = [{"params": [q for q in params if id(q) not in text_path], "lr_scale": 1.0},
              {"params": [q for q in params if id(q) in text_path], "lr_scale": args.text_lr_scale}]
    opt = torch.optim.AdamW(groups, lr=args.lr, weight_decay=0.01, betas=(0.9, 0.99))
    acp = alphas_cumprod().to(device)
    step = init_step = 0
    ckpt_path = args.out / "checkpoint.pt"
    if args.resume and ckpt_path.exists():
        state = torch.load(ckpt_path, map_location=device)
        # Checkpoints that predate the flag tell by their EMA list: the frozen run averages the UNet alone.
        was_frozen = state.get("frozen_text", len(state["ema"]) == len(list(unet.parameters())))
        if bool(was_frozen) != frozen_text:
            was = "the frozen scorer text tower" if was_frozen else "a jointly trained text encoder"
            now = "the frozen scorer text tower (--text-encoder)" if frozen_text else "a jointly trained text encoder"
            raise SystemExit(f"{ckpt_path} was trained with {was}, and this run asks for {now}: move {args.out} aside "
                             f"and start from its weights with --init <old>/diffusion.pt")
        trained_with_skip = "skip_in.weight" in state["unet"]
        if trained_with_skip != unet_config.input_skip:
            raise SystemExit(f"{ckpt_path} was trained {'with' if trained_with_skip else 'without'} the UNet's input "
                             f"skip: resume with {'--input-skip' if trained_with_skip else '--no-input-skip'}, or move "
                             f"{args.out} aside and start from its weights with --init <old>/diffusion.pt")
        text_encoder.load_state_dict(state["text_encoder"])
        unet.load_state_dict(state["unet"])
        opt.load_state_dict(state["opt"])
        for e, s in zip(ema, state["ema"]):
            e.copy_(s)
        step = state["step"]
        init_step = state.get("init_step", 0)
        tokenizer = WordTokenizer.from_json(state["tokenizer"])
        print(f"resumed at step {step}")

    if args.init is not None and step == 0:
        init = torch.load(args.init, map_location=device)
        init = init.get("diffusion", init)  # the combined weights file holds {"vae", "vocoder", "diffusion"}
        if init["tokenizer"] != tokenizer.to_json():
            raise SystemExit(f"--init {args.init}: its tokenizer differs from this dataset's captions; train from scratch")
        missing, unexpected = unet.load_state_dict({k: v.float() for k, v in init["unet"].items()}, strict=False)
        # A model without the input skip starts one with it unchanged (the skip is zero-initialised).
        if unexpected or any(not k.startswith("skip_in.") for k in missing):
            raise SystemExit(f"--init {args.init}: its UNet does not fit this one (missing {missing}, unexpected "
                             f"{unexpected}); check --channels and --input-skip")
        if frozen_text and not init.get("frozen_text_encoder"):
            # The old text pathway was trained on another embedding: start it at zero, keeping the denoiser.
            with torch.no_grad():
                unet.text_proj[-1].weight.zero_()
        elif frozen_text:
            pass  # trained on this same frozen tower already: continue as it is
        else:
            text_encoder.load_state_dict({k: v.float() for k, v in init["text_encoder"].items()})
        for e, q in zip(ema, params):
            e.copy_(q.detach())
        init_step = int(init.get("step") or 0) + int(init.get("initialised_from_step") or 0)
        print(f"initialised from {args.init} (trained {init_step} steps)")
    generator = torch.Generator().manual_seed(args.seed + step)
    n_params = sum(q.numel() for q in text_encoder.parameters()) + sum(q.numel() for q in unet.parameters())
    log = open(args.out / "log.jsonl", "a")
    print(f"device {device}, {n_params / 1e6:.2f} M parameters, {train.count} train clips, vocab {len(tokenizer.vocab)}")

    def save(final: bool) -> None:
        averaged = {id(q): e for q, e in zip(params, ema)}
        te_state = {n: averaged.get(id(q), q) for n, q in text_encoder.named_parameters()}
        un_state = {n: averaged[id(q)] for n, q in unet.named_parameters()}
        # Buffers (none today) would come from the live model.
        weights = {"text_encoder": {**text_encoder.state_dict(), **te_state}, "unet": {**unet.state_dict(), **un_state},
                   "text_config": config_dict(text_config), "unet_config": config_dict(unet_config),
                   "tokenizer": tokenizer.to_json(), "scheduler_config": SCHEDULER_CONFIG, "step": step,
                   "train_seconds": train_seconds, "device": str(device), "parameters": n_params,
                   "initialised_from_step": init_step, "frozen_text_encoder": frozen_text,
                   "class_loss_weight": args.class_loss_weight,
                   "trainable_parameters": sum(q.numel() for q in params)}
        torch.save({k: ({n: t.detach().cpu() for n, t in v.items()} if isinstance(v, dict) and k in ("text_encoder", "unet") else v)
                    for k, v in weights.items()}, args.out / "diffusion.pt")
        if not final:
            torch.save({"text_encoder": text_encoder.state_dict(), "unet": unet.state_dict(), "opt": opt.state_dict(),
                        "ema": ema, "step": step, "tokenizer": tokenizer.to_json(), "init_step": init_step,
                        "frozen_text": frozen_text}, ckpt_path)

    class_loss = None
    running_class = None
    if args.class_loss_weight > 0:
        if args.class_loss_classifier is None:
            raise SystemExit("--class-loss-weight needs --class-loss-classifier (python3 -m foley_train.latent_classifier)")
        class_loss = ClassLoss(args.class_loss_classifier, manifest, train.clip_ids, device)
        probe = torch.arange(0, train.count, max(1, train.count // 512), device=device)
        reads = ", ".join(f"{a:.3f}" for a in class_loss.real_accuracy(train.latents[probe].float(), probe))
        print(f"class loss: weight {args.class_loss_weight}, {len(class_loss.classifiers)} reader(s) read {reads} of "
              f"{len(probe)} real train latents right")
    start = time.time()
    train_seconds = 0.0
    warmup = 500
    running = None
    while step < args.steps:
        # With --minutes the cosine also follows wall time, so a run cut by its time budget still ends annealed.
        progress = step / args.steps
        if args.minutes:
            progress = max(progress, (time.time() - start) / (args.minutes * 60))
        lr = args.lr * min(1.0, (step + 1) / warmup) * (0.5 * (1 + math.cos(math.pi * min(1.0, progress))) * 0.9 + 0.1)
        for group in opt.param_groups:
            group["lr"] = lr * group["lr_scale"]
        x0, ids, idx, dropped = sample_batch(train, args.batch_size, unet_config.time_multiple, generator, args.uncond_prob)
        if class_loss is None:
            loss = diffusion_loss(unet, text_encoder, x0, ids, acp, generator, high_noise_share=args.high_noise_share)
        else:
            loss, x0_hat = diffusion_loss(unet, text_encoder, x0, ids, acp, generator,
                                          high_noise_share=args.high_noise_share, return_x0=True)
            class_term = class_loss(x0_hat, idx, dropped)
            running_class = class_term.item() if running_class is None else 0.98 * running_class + 0.02 * class_term.item()
            loss = loss + args.class_loss_weight * class_term
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        with torch.no_grad():
            for e, q in zip(ema, params):
                e.mul_(args.ema).add_(q.detach(), alpha=1 - args.ema)
        step += 1
        running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
        train_seconds = time.time() - start
        if step % 200 == 0 or step == args.steps:
            row = {"step": step, "loss": running, "lr": lr, "seconds": round(train_seconds, 1)}
            if running_class is not None:
                row["class_loss"] = running_class
            if val is not None and step % 1000 == 0:
                with torch.no_grad():
                    g = torch.Generator().manual_seed(1234)
                    losses = []
                    for t_fixed in (50, 250, 500, 750, 950):
                        x0v, idsv, _, _ = sample_batch(val, min(64, val.count), unet_config.time_multiple, g, 0.0)
                        tt = torch.full((x0v.shape[0],), t_fixed, dtype=torch.long, device=device)
                        losses.append(diffusion_loss(unet, text_encoder, x0v, idsv, acp, g, t=tt).item())
                    row["val_loss"] = sum(losses) / len(losses)
            print(json.dumps(row), flush=True)
            log.write(json.dumps(row) + "\n")
            log.flush()
        if step % 2000 == 0:
            save(final=False)
        if args.minutes and train_seconds > args.minutes * 60:
            print(f"time budget reached at step {step}")
            break
    save(final=False)
    save(final=True)
    print(f"done: {step} steps in {train_seconds:.0f} s")


if __name__ == "__main__":
    main()
