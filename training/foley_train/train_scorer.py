"""A contrastive text–audio scorer on VAE latents (CLAP-style: Radford et al. 2021 "CLIP", §2.3; Elizalde et al.
2023 "CLAP"), trained on the dataset's caption–latent pairs.

It serves twice. Its text tower initialises the diffusion model's text encoder (`train_diffusion --text-encoder`),
so the denoiser starts from an embedding in which prompts for the same sound already sit together: jointly from
scratch, 5,300 steps left the conditional and unconditional predictions 5 % apart. Its audio tower scores
generated latents against the prompt, so a caller can draw several candidates and keep the best.

Loss: symmetric InfoNCE with a learned temperature, where every pair of clips with the same label key (class and
pitch) counts as a positive, because a batch of 256 over 348 classes holds many clips of one class.

    python3 -m foley_train.train_scorer --data D --latents L --out O [--minutes 12]
writes O/scorer.pt (text tower in diffusion_model.TextEncoder's layout, audio tower, tokenizer) and O/log.jsonl.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from .diffusion_model import TextEncoder, TextEncoderConfig
from .tokenizer import WordTokenizer
from .train_diffusion import load_manifest, trim_padding


class LatentAudioEncoder(nn.Module):
    """VAE latent [B, C, F, T'] plus valid-frame mask [B, T'] → one embedding per clip (masked mean and max)."""

    def __init__(self, in_channels: int, freq_bins: int, width: int = 128, blocks: int = 4, out_dim: int = 256):
        super().__init__()
        self.config = {"in_channels": in_channels, "freq_bins": freq_bins, "width": width, "blocks": blocks,
                       "out_dim": out_dim}
        # Strided in and halfway: a clip's class and pitch live in its spectral envelope, not in 40 ms detail, and a
        # full-rate tower cost 2 s a batch on 2 cores.
        self.conv_in = nn.Conv1d(in_channels * freq_bins, width, 4, stride=2, padding=1)
        self.blocks = nn.ModuleList(nn.Sequential(nn.GroupNorm(8, width), nn.GELU(), nn.Conv1d(width, width, 3, padding=1),
                                                  nn.GroupNorm(8, width), nn.GELU(), nn.Conv1d(width, width, 3, padding=1))
                                    for _ in range(blocks))
        self.down_after = blocks // 2
        self.down = nn.Conv1d(width, width, 4, stride=2, padding=1)
        self.norm = nn.GroupNorm(8, width)
        self.proj = nn.Linear(2 * width, out_dim)

    @property
    def time_multiple(self) -> int:
        """Latent frames per output step: the strides of conv_in and down."""
        return self.conv_in.stride[0] * self.down.stride[0]

    def forward(self, latent: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, c, f, t = latent.shape
        h = self.conv_in(latent.reshape(b, c * f, t))
        m = F.max_pool1d(mask[:, None, :], 2, ceil_mode=True)[..., : h.shape[-1]]
        for k, block in enumerate(self.blocks):
            if k == self.down_after:
                h = self.down(h)
                m = F.max_pool1d(m, 2, ceil_mode=True)[..., : h.shape[-1]]
            h = h + block(h)
        h = F.gelu(self.norm(h))
        mean = (h * m).sum(-1) / m.sum(-1).clamp(min=1.0)
        peak = (h + (m - 1.0) * 1e4).amax(-1)
        return self.proj(torch.cat([mean, peak], dim=1))


class Scorer(nn.Module):
    def __init__(self, text_config: TextEncoderConfig, in_channels: int, freq_bins: int):
        super().__init__()
        self.text = TextEncoder(text_config)
        self.audio = LatentAudioEncoder(in_channels, freq_bins, out_dim=text_config.hidden_size)
        self.log_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def similarity(self, ids: torch.Tensor, latent: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Cosine similarity matrix [B_text, B_audio]."""
        te = F.normalize(self.text(ids), dim=-1)
        ae = F.normalize(self.audio(latent, mask), dim=-1)
        return te @ ae.t()


def label_key(row: dict) -> str:
    return f"{row['class']}|{row.get('pitch')}"


class PairData:
    def __init__(self, latents_path: Path, manifest: dict, tokenizer: WordTokenizer):
        data = np.load(latents_path, allow_pickle=False)
        self.latents = torch.from_numpy(data["latents"].astype(np.float32))
        self.frames = torch.from_numpy(data["frames"].astype(np.int64))
        ids = [str(i) for i in data["ids"]]
        self.rows = [manifest[i] for i in ids]
        self.captions = [[tokenizer.encode(c) for c in r["captions"]] for r in self.rows]
        keys = sorted({label_key(r) for r in self.rows})
        index = {k: n for n, k in enumerate(keys)}
        self.keys = torch.tensor([index[label_key(r)] for r in self.rows])
        classes = sorted({r["class"] for r in self.rows})
        self.class_names = classes
        self.classes = torch.tensor([classes.index(r["class"]) for r in self.rows])

    def batch(self, idx: torch.Tensor, generator: torch.Generator, augment: bool):
        x = self.latents[idx]
        t = x.shape[-1]
        mask = (torch.arange(t)[None] < self.frames[idx][:, None]).float()
        if augment:
            # Generated latents are noisier than encoded ones: the scorer should not depend on fine detail.
            sigma = torch.rand(len(idx), 1, 1, 1, generator=generator) * 0.3
            x = x + sigma * torch.randn(x.shape, generator=generator)
        picks = torch.randint(0, 1 << 30, (len(idx),), generator=generator)
        ids = torch.tensor([self.captions[int(i)][int(p) % len(self.captions[int(i)])] for i, p in zip(idx, picks)])
        return trim_padding(ids), x, mask


def contrastive_loss(scorer: Scorer, ids, latent, mask, keys) -> torch.Tensor:
    logits = scorer.similarity(ids, latent, mask) * scorer.log_scale.exp().clamp(max=100.0)
    positive = (keys[:, None] == keys[None, :]).float()
    target = positive / positive.sum(1, keepdim=True)
    loss_t = -(target * logits.log_softmax(1)).sum(1).mean()
    loss_a = -(target.t() * logits.t().log_softmax(1)).sum(1).mean()
    return 0.5 * (loss_t + loss_a)


@torch.no_grad()
def class_accuracy(scorer: Scorer, data: PairData, limit: int = 1024) -> float:
    """Audio → text retrieval over the split's own first captions: the share of clips whose best caption names the
    right class."""
    scorer.eval()
    n = min(limit, len(data.rows))
    idx = torch.arange(n)
    ids = trim_padding(torch.tensor([data.captions[i][0] for i in range(n)]))
    mask = (torch.arange(data.latents.shape[-1])[None] < data.frames[idx][:, None]).float()
    sim = scorer.similarity(ids, data.latents[idx], mask)  # [text, audio]
    best_text = sim.argmax(0)
    scorer.train()
    return float((data.classes[best_text] == data.classes[idx]).float().mean())


def save(path: Path, scorer: Scorer, tokenizer: WordTokenizer, text_config: TextEncoderConfig, step: int, extra: dict):
    tmp = path.with_suffix(".tmp")
    torch.save({"text_encoder": scorer.text.state_dict(), "audio_encoder": scorer.audio.state_dict(),
                "log_scale": float(scorer.log_scale), "text_config": dict(vars(text_config)),
                "audio_config": scorer.audio.config, "tokenizer": tokenizer.to_json(), "step": step, **extra}, tmp)
    tmp.replace(path)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--latents", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--steps", type=int, default=4000)
    p.add_argument("--minutes", type=float, default=0.0)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--smoke", action="store_true")
    args = p.parse_args(argv)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    torch.set_num_threads(int(os.environ.get("FOLEY_THREADS", "2")))
    torch.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)

    manifest = load_manifest(args.data / "manifest.jsonl")
    train_captions = [c for row in manifest.values() if row["split"] == "train" for c in row["captions"]]
    tokenizer = WordTokenizer.build(train_captions)  # the same build as train_diffusion, so the towers swap in
    text_config = TextEncoderConfig(vocab_size=len(tokenizer.vocab), max_length=tokenizer.max_length)
    if args.smoke:
        text_config = TextEncoderConfig(vocab_size=len(tokenizer.vocab), width=32, layers=1, heads=2, hidden_size=32)
        args.steps, args.batch_size = min(args.steps, 10), min(args.batch_size, 8)
    train = PairData(args.latents / "latents_train.npz", manifest, tokenizer)
    val_path = args.latents / "latents_validation.npz"
    val = PairData(val_path, manifest, tokenizer) if val_path.exists() else None
    scorer = Scorer(text_config, int(train.latents.shape[1]), int(train.latents.shape[2]))
    opt = torch.optim.AdamW(scorer.parameters(), lr=args.lr, weight_decay=0.01)
    generator = torch.Generator().manual_seed(args.seed)
    log = open(args.out / "log.jsonl", "a")
    start, step, running, val_acc = time.time(), 0, None, None
    batch = min(args.batch_size, len(train.rows))
    while step < args.steps:
        progress = step / args.steps
        if args.minutes:
            progress = max(progress, (time.time() - start) / (args.minutes * 60))
        lr = args.lr * min(1.0, (step + 1) / 200) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
        for group in opt.param_groups:
            group["lr"] = lr
        idx = torch.randint(0, len(train.rows), (batch,), generator=generator)
        ids, x, mask = train.batch(idx, generator, augment=True)
        loss = contrastive_loss(scorer, ids, x, mask, train.keys[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(scorer.parameters(), 1.0)
        opt.step()
        step += 1
        running = loss.item() if running is None else 0.95 * running + 0.05 * loss.item()
        if step % 100 == 0 or step == args.steps:
            row = {"step": step, "loss": round(running, 4), "lr": lr, "seconds": round(time.time() - start, 1)}
            if val is not None and (step % 500 == 0 or step == args.steps):
                val_acc = row["val_class_accuracy"] = class_accuracy(scorer, val)
            print(json.dumps(row), flush=True)
            log.write(json.dumps(row) + "\n")
            log.flush()
        if args.minutes and time.time() - start > args.minutes * 60:
            break
    if val is not None:
        val_acc = class_accuracy(scorer, val)
    save(args.out / "scorer.pt", scorer, tokenizer, text_config, step,
         {"val_class_accuracy": val_acc, "train_seconds": time.time() - start})
    print(f"done: {step} steps, validation audio→caption class accuracy {val_acc}")


if __name__ == "__main__":
    main()
