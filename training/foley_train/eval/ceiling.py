"""The decode path's ceiling on prompt accuracy: real test clips, encoded by the VAE, decoded, vocoded by the
neural vocoder and classified. A perfect denoiser would score this, not the real clips' figure, because every
generated clip goes through the same VAE decoder and vocoder. The same clips are also classified after each stage
alone (`stages`: the VAE's decoded log-mel with no vocoder; the real log-mel through the vocoder with no VAE), so
the report says which component costs the accuracy.

    python3 -m foley_train.eval.ceiling --data D --vae-ckpt vae.pt --vocoder-ckpt vocoder.pt [--clips 400]
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np
import torch

from ..melspec import HOP, log_mel
from ..vae import load_vae
from ..vocoder import istft, load_vocoder
from .classifier import Bundle, accuracy, classifier_path, fit_frames, load_split


@torch.no_grad()
def resynthesized_accuracy(data: Path, vae, vocoder, bundle: Bundle, clips: int = 400, batch: int = 16,
                           seed: int = 0) -> dict:
    """vae: encode(mel [B, 1, 64, T]) -> (mean, logvar), decode(latent) -> mel; vocoder: mel [B, 64, T] -> (real, imag)."""
    mels, records = load_split(data, "test")
    pick = np.sort(np.random.default_rng(seed).permutation(len(records))[:clips])

    def vocode(mel: torch.Tensor) -> list[np.ndarray]:
        real, imag = vocoder(mel)
        return [fit_frames(log_mel(w).numpy()) for w in istft(real, imag, HOP * mel.shape[-1])]

    full, vae_only, vocoder_only = [], [], []
    for start in range(0, len(pick), batch):
        mel = torch.from_numpy(mels[pick[start:start + batch]].astype(np.float32))
        decoded = vae.decode(vae.encode(mel[:, None])[0])[:, 0]
        full.extend(vocode(decoded))
        vae_only.extend(fit_frames(m) for m in decoded.numpy())
        vocoder_only.extend(vocode(mel))
    chosen = [records[i] for i in pick]

    def score(path_mels: list[np.ndarray]) -> dict:  # {"n", "fine", "coarse"}
        return accuracy(bundle, np.stack(path_mels), chosen)

    return {"clips": len(chosen), **score(full),
            "path": "VAE encode (mean) -> VAE decode -> neural vocoder -> log-mel -> classifier",
            "stages": {"vae_only": {**score(vae_only),
                                    "path": "VAE encode (mean) -> VAE decode -> classifier (no vocoder)"},
                       "vocoder_only": {**score(vocoder_only),
                                        "path": "real log-mel -> neural vocoder -> log-mel -> classifier (no VAE)"}}}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--vae-ckpt", type=Path, required=True)
    p.add_argument("--vocoder-ckpt", type=Path, required=True)
    p.add_argument("--classifier", type=Path, default=None)
    p.add_argument("--clips", type=int, default=400)
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args(argv)
    torch.set_num_threads(int(os.environ.get("FOLEY_THREADS", "2")))
    bundle = Bundle.load(args.classifier or classifier_path(args.smoke))
    vae, vocoder = load_vae(args.vae_ckpt).eval(), load_vocoder(args.vocoder_ckpt).eval()
    result = resynthesized_accuracy(args.data, vae, vocoder, bundle, args.clips)
    print(json.dumps(result))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    raise SystemExit(main())
