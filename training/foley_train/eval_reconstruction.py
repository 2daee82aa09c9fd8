"""Held-out reconstruction metrics for the VAE and the vocoders, written as JSON.

    python3 -m foley_train.eval_reconstruction --data training/cache/data \\
        --vae-ckpt training/checkpoints/vae/vae.pt --vocoder-ckpt training/checkpoints/vocoder/vocoder.pt \\
        --out training/checkpoints/eval_reconstruction.json

On the test split (whole clips, not crops):
* VAE: mel-L1 between each clip's log-mel and its reconstruction from the latent mean (eval mode), over all
  bins and over active bins (target above ln(1e-4), 20 dB over the floor).
* Vocoders, each from the clip's log-mel: mel-L1 (all / active bins) between the log-mel of the resynthesised
  waveform and the original, and the multi-resolution STFT distance (vocoder.mrstft_distance) between the
  waveforms; for Griffin-Lim-32 (torchaudio, momentum 0.99, power 1, from the pseudo-inverse magnitude), the
  neural vocoder, and the neural vocoder followed by a few fast Griffin-Lim iterations (`--refine`).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torchaudio  # noqa: E402

from . import melspec  # noqa: E402
from .datasets import MelClips, WaveClips  # noqa: E402
from .vae import load_vae  # noqa: E402
from .vocoder import load_vocoder, mrstft_distance, pseudo_inverse_filterbank, vocode  # noqa: E402

ACTIVE_THRESHOLD = math.log(1e-4)


def mel_distances(log_mel_hat: torch.Tensor, log_mel: torch.Tensor) -> tuple[float, float]:
    diff = (log_mel_hat - log_mel).abs()
    active = log_mel > ACTIVE_THRESHOLD
    return diff.mean().item(), (diff[active].mean().item() if active.any() else float("nan"))


def griffin_lim(log_mel: torch.Tensor, length: int, iters: int = 32, seed: int = 0) -> torch.Tensor:
    """Griffin-Lim from the pseudo-inverse magnitude: torchaudio's fast GL (momentum 0.99) on magnitudes."""
    magnitude = torch.matmul(pseudo_inverse_filterbank(), torch.exp(log_mel)).abs().clamp(min=melspec.LOG_FLOOR)
    torch.manual_seed(seed)
    transform = torchaudio.transforms.GriffinLim(n_fft=melspec.N_FFT, n_iter=iters, win_length=melspec.WIN,
                                                 hop_length=melspec.HOP, power=1.0, momentum=0.99, length=length,
                                                 window_fn=lambda n: torch.hann_window(n, periodic=True))
    return transform(magnitude)


def summarise(rows: list[dict]) -> dict:
    keys = [k for k in rows[0] if isinstance(rows[0][k], float)]
    return {k: float(np.nanmean([r[k] for r in rows])) for k in keys}


def evaluate_vae(data: Path, ckpt: Path, clips: int) -> dict:
    vae = load_vae(ckpt)
    test = MelClips.load(data, "test", limit=clips)
    rows = []
    with torch.no_grad():
        for k in range(len(test)):
            mel = torch.from_numpy(test.full(k))
            recon = vae.decode(vae.encode(mel)[0])
            valid = int(test.frames[k])
            l1, l1_active = mel_distances(recon[..., :valid], mel[..., :valid])
            rows.append({"mel_l1": l1, "mel_l1_active": l1_active})
    return {"clips": len(rows), **summarise(rows), "scaling_factor": float(vae.scaling_factor),
            "checkpoint": str(ckpt)}


def evaluate_vocoders(data: Path, ckpt: Path | None, clips: int, gl_iters: int, refine: list[int],
                      max_seconds: float) -> dict:
    test = WaveClips.load(data, "test")
    order = np.random.default_rng(0).permutation(len(test))[:clips]
    model = load_vocoder(ckpt) if ckpt is not None else None
    methods: dict[str, list[dict]] = {}
    seconds = {}
    audio_seconds = 0.0
    for k in order:
        wave = test.waves[k][: int(max_seconds * melspec.SAMPLE_RATE)]
        n = len(wave) // melspec.HOP * melspec.HOP
        if n <= 2048:  # the coarsest MR-STFT resolution (n_fft 2048, reflect padding) needs more samples
            continue
        wav = torch.from_numpy(wave[:n].astype(np.float32) / 32768.0)[None]
        log_mel = melspec.log_mel(wav)
        audio_seconds += n / melspec.SAMPLE_RATE
        candidates = {f"griffin_lim_{gl_iters}": lambda: griffin_lim(log_mel, n, gl_iters)}
        if model is not None:
            candidates["neural"] = lambda: vocode(model, log_mel, n)
            for iters in refine:
                candidates[f"neural_gl_{iters}"] = lambda iters=iters: vocode(model, log_mel, n, gl_iters=iters)
        for name, run in candidates.items():
            started = time.time()
            with torch.no_grad():
                wav_hat = run()
            seconds[name] = seconds.get(name, 0.0) + time.time() - started
            l1, l1_active = mel_distances(melspec.log_mel(wav_hat), log_mel)
            mr = mrstft_distance(wav_hat, wav).item()
            methods.setdefault(name, []).append({"mel_l1": l1, "mel_l1_active": l1_active, "mrstft": mr})
    result = {"clips": len(methods.get(f"griffin_lim_{gl_iters}", [])), "audio_seconds": round(audio_seconds, 2),
              "methods": {}}
    baseline = None
    for name, rows in methods.items():
        summary = summarise(rows)
        summary["torch_realtime_factor"] = round(audio_seconds / max(seconds[name], 1e-9), 1)
        if baseline is None:
            baseline = summary
        else:
            summary["gl_mel_l1_ratio"] = baseline["mel_l1"] / summary["mel_l1"]
            summary["gl_mrstft_ratio"] = baseline["mrstft"] / summary["mrstft"]
        result["methods"][name] = summary
    result["checkpoint"] = None if ckpt is None else str(ckpt)
    return result


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description="Held-out VAE and vocoder reconstruction metrics")
    p.add_argument("--data", type=Path, required=True, help="the data stage's folder (test split)")
    p.add_argument("--vae-ckpt", type=Path, default=None)
    p.add_argument("--vocoder-ckpt", type=Path, default=None, help="omit to measure Griffin-Lim alone")
    p.add_argument("--out", type=Path, required=True, help="JSON report")
    p.add_argument("--clips", type=int, default=200)
    p.add_argument("--max-seconds", type=float, default=4.0)
    p.add_argument("--gl-iters", type=int, default=32)
    p.add_argument("--refine", type=int, nargs="*", default=[8], help="GL iterations after the neural vocoder")
    p.add_argument("--skip-vocoders", action="store_true")
    args = p.parse_args(argv)
    torch.set_num_threads(2)
    report: dict = {"split": "test", "data": str(args.data),
                    "definitions": {"mel_l1": "mean |log-mel(resynthesis) - log-mel(original)| over all bins",
                                    "mel_l1_active": f"same over bins whose original log-mel > ln(1e-4)",
                                    "mrstft": "mean over (n_fft, hop, win) in (512,50,240), (1024,120,600), "
                                              "(2048,240,1200) of spectral convergence + mean |log S - log S^| "
                                              "(magnitudes floored at 1e-5)"}}
    if args.vae_ckpt is not None:
        report["vae"] = evaluate_vae(args.data, args.vae_ckpt, args.clips)
        print(json.dumps({"vae": report["vae"]}))
    if not args.skip_vocoders:
        report["vocoder"] = evaluate_vocoders(args.data, args.vocoder_ckpt, args.clips, args.gl_iters, args.refine,
                                              args.max_seconds)
        print(json.dumps({"vocoder": report["vocoder"]}, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
