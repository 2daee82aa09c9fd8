"""The decode path's ceiling on prompt accuracy: real test clips, encoded by the VAE, decoded, vocoded by the
neural vocoder and classified. A perfect denoiser would score this, not the real clips' figure, because every
generated clip goes through the same VAE decoder and vocoder. The same clips are also classified after each stage
alone (`stages`: the VAE's decoded log-mel with no vocoder; the real log-mel through the vocoder with no VAE), so
the report says which component costs the accuracy. The pitched clips among them are also scored for pitch (the
evaluator's f0 estimate within ±50 cents of the labelled note, on the classes where it measures real clips right):
the real clips, the whole path and the vocoder alone, so the pitch goal has a ceiling too.

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
from .classifier import Bundle, accuracy, classifier_path, fit_frames, load_split, real_test_pitch_accuracy
from .f0 import pitch_correct


@torch.no_grad()
def resynthesized_accuracy(data: Path, vae, vocoder, bundle: Bundle, clips: int = 400, batch: int = 16,
                           seed: int = 0) -> dict:
    """vae: encode(mel [B, 1, 64, T]) -> (mean, logvar), decode(latent) -> mel; vocoder: mel [B, 64, T] -> (real, imag)."""
    mels, records = load_split(data, "test")
    pick = np.sort(np.random.default_rng(seed).permutation(len(records))[:clips])

    chosen = [records[i] for i in pick]
    reliable = set(bundle.meta.get("pitch_reliable_classes", []))
    pitch_hits: dict[str, list[bool]] = {"full": [], "vocoder_only": []}

    def vocode(mel: torch.Tensor, recs: list[dict], path: str) -> list[np.ndarray]:
        real, imag = vocoder(mel)
        waves = istft(real, imag, HOP * mel.shape[-1])
        for rec, wave in zip(recs, waves):
            if rec.get("pitch") is not None and rec["class"] in reliable:
                pitch_hits[path].append(pitch_correct(wave.numpy(), rec["pitch"])[0])
        return [fit_frames(log_mel(w).numpy()) for w in waves]

    full, vae_only, vocoder_only = [], [], []
    for start in range(0, len(pick), batch):
        recs = chosen[start:start + batch]
        mel = torch.from_numpy(mels[pick[start:start + batch]].astype(np.float32))
        decoded = vae.decode(vae.encode(mel[:, None])[0])[:, 0]
        full.extend(vocode(decoded, recs, "full"))
        vae_only.extend(fit_frames(m) for m in decoded.numpy())
        vocoder_only.extend(vocode(mel, recs, "vocoder_only"))

    def score(path_mels: list[np.ndarray]) -> dict:  # {"n", "fine", "coarse"}
        return accuracy(bundle, np.stack(path_mels), chosen)

    def pitch(path: str) -> dict:  # {"n_reliable", "accuracy_reliable"}
        hits = pitch_hits[path]
        return {"pitch_n_reliable": len(hits), "pitch_accuracy_reliable": sum(hits) / len(hits) if hits else None}

    real_pitch = real_test_pitch_accuracy(data, chosen, reliable)["accuracy_reliable"]
    return {"clips": len(chosen), **score(full), **pitch("full"), "real_pitch_accuracy_reliable": real_pitch,
            "path": "VAE encode (mean) -> VAE decode -> neural vocoder -> log-mel -> classifier",
            "stages": {"vae_only": {**score(vae_only),
                                    "path": "VAE encode (mean) -> VAE decode -> classifier (no vocoder)"},
                       "vocoder_only": {**score(vocoder_only), **pitch("vocoder_only"),
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
