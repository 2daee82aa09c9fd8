"""Denoising probe: how much of the noise the UNet removes at each noise level, on validation latents.

For each timestep t it noises validation latents (x_t = √ᾱ x0 + √(1−ᾱ) ε), asks the UNet for v, turns it into a
data prediction (x̂0 = √ᾱ x_t − √(1−ᾱ) v) and reports the x̂0 error next to that of the untouched input √ᾱ x_t
(what a model that predicted v = 0 would give), and the frame-to-frame roughness of x̂0 next to the real
latents'. A model that leaves noise in place shows an error close to the untouched one and a roughness far above
the real one: the grain that the VAE decoder turns into noisy spectrograms.

    python3 -m foley_train.eval.denoise_probe --diffusion-ckpt D/diffusion.pt --latents L [--clips 48] [--out probe.json]
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np
import torch

from ..diffusion_model import alphas_cumprod

TIMESTEPS = (9, 49, 149, 299, 499, 799, 999)


def roughness(x: torch.Tensor) -> float:
    """Mean squared difference of neighbouring latent frames."""
    return float((x[..., 1:] - x[..., :-1]).pow(2).mean())


@torch.no_grad()
def probe(unet, text_embeds: torch.Tensor, x0: torch.Tensor, timesteps=TIMESTEPS, seed: int = 0) -> list[dict]:
    """unet(x_t [B, C, F, T], t [B], text_embeds [B, D]) -> v. One row per timestep."""
    acp = alphas_cumprod().to(torch.float32)
    generator = torch.Generator().manual_seed(seed)
    rows = []
    for t in timesteps:
        a = acp[t]
        noise = torch.randn(x0.shape, generator=generator)
        xt = a.sqrt() * x0 + (1 - a).sqrt() * noise
        v = unet(xt, torch.full((x0.shape[0],), float(t)), text_embeds)
        x0_hat = a.sqrt() * xt - (1 - a).sqrt() * v
        untouched = float(((a.sqrt() * xt - x0) ** 2).mean())
        error = float(((x0_hat - x0) ** 2).mean())
        rows.append({"t": t, "sigma": float((1 - a).sqrt()), "x0_mse": error, "untouched_mse": untouched,
                     "gain": untouched / error if error > 0 else float("inf"),
                     "roughness": roughness(x0_hat), "real_roughness": roughness(x0)})
    return rows


def main(argv=None) -> int:
    from ..export_bundle import load_diffusion
    from ..train_diffusion import load_manifest

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--diffusion-ckpt", type=Path, required=True)
    p.add_argument("--latents", type=Path, required=True, help="folder with latents_validation.npz")
    p.add_argument("--data", type=Path, required=True, help="folder with manifest.jsonl (captions)")
    p.add_argument("--clips", type=int, default=48)
    p.add_argument("--frames", type=int, default=64, help="latent frames per clip (from the start)")
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args(argv)
    torch.set_num_threads(int(os.environ.get("FOLEY_THREADS", "2")))
    state, text_encoder, unet, tokenizer = load_diffusion(args.diffusion_ckpt)
    latents = np.load(args.latents / "latents_validation.npz")
    x0 = torch.from_numpy(latents["latents"][: args.clips, :, :, : args.frames].astype(np.float32))
    manifest = load_manifest(args.data / "manifest.jsonl")
    ids = torch.tensor([tokenizer.encode(manifest[str(i)]["captions"][0]) for i in latents["ids"][: args.clips]])
    with torch.no_grad():
        rows = probe(unet, text_encoder(ids), x0)
    for row in rows:
        print(f"t={row['t']:4d} sigma {row['sigma']:.3f}: x0 error {row['x0_mse']:.4f} vs untouched "
              f"{row['untouched_mse']:.4f} ({row['gain']:.1f}x), roughness {row['roughness']:.3f} "
              f"(real {row['real_roughness']:.3f})")
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"checkpoint": str(args.diffusion_ckpt), "step": state.get("step"),
                                        "initialised_from_step": state.get("initialised_from_step"),
                                        "rows": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    raise SystemExit(main())
