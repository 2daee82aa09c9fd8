"""Encode the dataset's log-mels with the trained VAE into the diffusion stage's input.

Writes `latents_<split>.npz` in --out: `latents` float16 [N, C, F, T'] (posterior means times the VAE's
scaling factor, so the UNet sees roughly unit variance; padded frames hold the encoding of the log floor),
`frames` int32 [N] (valid latent frames = ceil(mel frames / 4)), `ids` [N] in the mel file's order.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
import torch

from .datasets import FRAME_MULTIPLE, MelClips
from .vae import load_vae

SPLITS = ("train", "validation")


@torch.no_grad()
def encode_split(vae, clips: MelClips, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    width = -(-clips.max_frames // FRAME_MULTIPLE) * FRAME_MULTIPLE
    scale = float(vae.scaling_factor)
    out = None
    for start in range(0, len(clips), batch_size):
        mel = np.full((min(batch_size, len(clips) - start), 1, clips.mels.shape[1], width),
                      float(vae.config.log_floor), dtype=np.float32)
        chunk = clips.mels[start:start + batch_size]
        mel[:, 0, :, :chunk.shape[-1]] = chunk
        mean, _ = vae.encode(torch.from_numpy(mel))
        latents = (mean * scale).numpy().astype(np.float16)
        if out is None:
            out = np.zeros((len(clips),) + latents.shape[1:], dtype=np.float16)
        out[start:start + latents.shape[0]] = latents
    frames = (-(-clips.frames // FRAME_MULTIPLE)).astype(np.int32)
    return out, frames


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data", type=Path, required=True, help="the data stage's folder (mels_<split>.npz)")
    p.add_argument("--vae-ckpt", type=Path, required=True, help="vae.pt from train_vae")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--limit", type=int, default=None, help="at most this many clips per split (smoke runs)")
    args = p.parse_args()
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    torch.set_num_threads(2)
    vae = load_vae(args.vae_ckpt)
    args.out.mkdir(parents=True, exist_ok=True)
    for split in SPLITS:
        try:
            clips = MelClips.load(args.data, split, limit=args.limit)
        except FileNotFoundError:
            if split == "train":
                raise
            continue
        if len(clips) == 0:
            continue
        latents, frames = encode_split(vae, clips, args.batch_size)
        tmp = args.out / f"latents_{split}.tmp.npz"
        np.savez(tmp, latents=latents, frames=frames, ids=np.array(clips.ids))
        tmp.replace(args.out / f"latents_{split}.npz")
        print(f"{split}: {latents.shape} std {latents.astype(np.float32).std():.3f}")


if __name__ == "__main__":
    main()
