"""The PyTorch reference sampler: text to WAV with the training checkpoints, independent of the TypeScript side.

Same algorithm as foley's default path: word tokenizer -> text encoder -> UNet (v-prediction) sampled by
DPM-Solver++(2M) (Lu et al. 2022, "DPM-Solver++", Alg. 2, data-prediction form, multistep second order,
first order on the last step) with classifier-free guidance -> VAE decoder -> neural vocoder + torch.istft ->
the pitch guide (foley_train.pitch_guide, the twin of src/dsp/harmonic-comb.ts) when the prompt names one note and
the sound misses it by more than 50 cents, or its harmonic resynthesis (pitch_guide.resynthesize) whatever the
estimate when the note lies below the vocoder's pitch floor (E3). The miss is measured with the evaluator's YIN estimator
(foley_train.eval.f0), not a twin of the pipeline's subharmonic-summation estimator, so the two sides can disagree
on borderline clips.
The noise comes from torch's generator, so samples are not bit-equal to the TypeScript pipeline's (different
RNG); the algorithm, step count and weights are the same, which is what the speed comparison needs. It makes one
candidate: the pipeline's best-of-N (model_index.json `defaults.candidates`, ranked by the scorer and the class
reader) and its class guard on the pitch guide are not reproduced here.

    python3 -m foley_train.sample --prompt "a soft cello note, g2" --out cello.wav [--seconds 2] [--steps 20]
    python3 -m foley_train.sample --bench-json --bundle ../models/foley-small --prompt P --durations 5,30
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

from .data.audio import write_wav
from .diffusion_model import alphas_cumprod
from .data.gm import midi_to_hz
from .eval.f0 import pitch_correct
from .export_bundle import load_diffusion
from .export_components import PITCH_FLOOR_MIDI
from .pitch_guide import guide, resynthesize
from .prompted_note import prompted_midi
from .vae import load_vae
from .vocoder import istft, load_vocoder

HERE = Path(__file__).resolve().parent
DEFAULT_CHECKPOINTS = HERE.parent / "cache" / "checkpoints"
SAMPLE_RATE, HOP, LATENT_HOP = 16000, 160, 4

def guide_pitch(audio: torch.Tensor, midi: int) -> tuple[torch.Tensor, bool]:
    """(audio, guided): a note below the vocoder's pitch floor rebuilt from its harmonics, or the pitch guide applied
    when the estimated pitch misses `midi` by more than the evaluator's ±50 cents (or has none)."""
    if midi < PITCH_FLOOR_MIDI:
        return resynthesize(audio.to(torch.float64), midi_to_hz(midi), SAMPLE_RATE).to(audio.dtype), True
    in_tune, _ = pitch_correct(audio.numpy(), midi)
    if in_tune:
        return audio, False
    return guide(audio.to(torch.float64), midi_to_hz(midi), SAMPLE_RATE).to(audio.dtype), True


class ReferenceSampler:
    def __init__(self, checkpoints: Path):
        state, self.text_encoder, self.unet, self.tokenizer = load_diffusion(checkpoints / "diffusion" / "diffusion.pt")
        self.scheduler = state["scheduler_config"]
        self.vae = load_vae(checkpoints / "vae" / "vae.pt")
        self.vocoder = load_vocoder(checkpoints / "vocoder" / "vocoder.pt").eval()
        self.acp = alphas_cumprod(self.scheduler).to(torch.float64)

    def timesteps(self, steps: int) -> list[int]:
        """diffusers' "trailing" spacing: round(arange(T, 0, -T / n)) - 1."""
        n_train = self.scheduler["num_train_timesteps"]
        return [int(round(t)) - 1 for t in np.arange(n_train, 0, -n_train / steps)][:steps]

    @torch.no_grad()
    def generate(self, prompt: str, seconds: float, steps: int = 20, guidance: float = 3.0, seed: int = 0,
                 negative: str = "", guidance_start: float = 0.0, guidance_stop: float = 1.0,
                 pitch_guide: bool = True) -> np.ndarray:
        uc = self.unet.config
        mel_frames = int(seconds * SAMPLE_RATE) // HOP + 1
        frames = -(-mel_frames // LATENT_HOP)
        frames = -(-frames // uc.time_multiple) * uc.time_multiple
        ids = torch.tensor([self.tokenizer.encode(negative), self.tokenizer.encode(prompt)])
        embeds = self.text_encoder(ids)
        g = torch.Generator().manual_seed(seed)
        x = torch.randn(1, uc.in_channels, uc.freq_bins, frames, generator=g, dtype=torch.float32)
        ts = self.timesteps(steps)
        # diffusers' guider rule: step k is guided when floor(start * n) <= k < floor(stop * n).
        guided = range(int(guidance_start * len(ts)), int(guidance_stop * len(ts)))
        previous_x0, previous_lambda = None, None
        for k, t in enumerate(ts):
            a_t = self.acp[t]
            alpha, sigma = a_t.sqrt(), (1 - a_t).sqrt()
            if k in guided:
                v = self.unet(x.repeat(2, 1, 1, 1), torch.full((2,), float(t)), embeds)
                v = v[0:1] + guidance * (v[1:2] - v[0:1])
            else:
                v = self.unet(x, torch.full((1,), float(t)), embeds[1:2])
            x0 = alpha.float() * x - sigma.float() * v  # v-prediction -> data prediction
            lam = torch.log(alpha / sigma)
            if k == len(ts) - 1:
                x = x0  # the last step goes to sigma = 0, where the first-order update is x0 itself
                break
            a_n = self.acp[ts[k + 1]]
            alpha_n, sigma_n = a_n.sqrt(), (1 - a_n).sqrt()
            lam_n = torch.log(alpha_n / sigma_n)
            h = lam_n - lam
            d = x0
            if previous_x0 is not None:
                r = (lam - previous_lambda) / h
                d = (1 + 1 / (2 * r)).float() * x0 - (1 / (2 * r)).float() * previous_x0
            x = (sigma_n / sigma).float() * x - (alpha_n * (torch.exp(-h) - 1)).float() * d
            previous_x0, previous_lambda = x0, lam
        mel = self.vae.decode(x / float(self.vae.scaling_factor))[:, 0]  # [1, 64, 4 T']
        real, imag = self.vocoder(mel)
        audio = istft(real, imag, HOP * mel.shape[-1])[0, : int(round(seconds * SAMPLE_RATE))]
        midi = prompted_midi(prompt) if pitch_guide else None
        if midi is not None:
            audio, _ = guide_pitch(audio, midi)
        peak = float(audio.abs().max())
        return (audio * (10 ** (-1 / 20) / peak if peak > 0 else 1.0)).numpy()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoints", type=Path, default=DEFAULT_CHECKPOINTS, help="folder with diffusion/ vae/ vocoder/")
    p.add_argument("--bundle", type=Path, help="bundle whose model_index.json defaults (steps, guidance) to use")
    p.add_argument("--prompt", required=True)
    p.add_argument("--negative", default="")
    p.add_argument("--seconds", type=float, default=None)
    p.add_argument("--steps", type=int, default=None)
    p.add_argument("--guidance", type=float, default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path)
    p.add_argument("--bench-json", action="store_true", help="time generation for --durations, print JSON")
    p.add_argument("--durations", default="5,30")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--no-pitch-guide", dest="pitch_guide", action="store_false",
                   help="skip the pitch guide for prompts that name a note (as the CLI's --no-pitch-guide)")
    args = p.parse_args()
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    torch.set_num_threads(args.threads)
    defaults = {"num_inference_steps": 20, "guidance_scale": 3.0, "duration_seconds": 2.0}
    if args.bundle and (args.bundle / "model_index.json").exists():
        defaults.update(json.loads((args.bundle / "model_index.json").read_text()).get("defaults", {}))
    steps = args.steps or int(defaults["num_inference_steps"])
    guidance = args.guidance if args.guidance is not None else float(defaults["guidance_scale"])
    interval = {"guidance_start": float(defaults.get("guidance_start", 0.0)), "guidance_stop": float(defaults.get("guidance_stop", 1.0))}
    sampler = ReferenceSampler(args.checkpoints)
    if args.bench_json:
        sampler.generate(args.prompt, 1.0, steps=2, guidance=guidance)  # warm-up
        runs = []
        for seconds in (float(s) for s in args.durations.split(",")):
            start = time.perf_counter()
            sampler.generate(args.prompt, seconds, steps=steps, guidance=guidance, seed=args.seed, **interval)
            runs.append({"durationSeconds": seconds, "wallSeconds": time.perf_counter() - start})
        print(json.dumps(runs))
        return
    if args.out is None:
        p.error("--out is required unless --bench-json")
    seconds = args.seconds if args.seconds is not None else float(defaults["duration_seconds"])
    if not (0 < seconds <= 600) or not math.isfinite(seconds):
        p.error(f"--seconds must be in (0, 600], got {seconds}")
    audio = sampler.generate(args.prompt, seconds, steps=steps, guidance=guidance, seed=args.seed, negative=args.negative,
                             pitch_guide=args.pitch_guide, **interval)
    write_wav(args.out, audio)
    print(f"wrote {args.out} ({seconds} s, {steps} steps, guidance {guidance} over steps {interval['guidance_start']}-"
          f"{interval['guidance_stop']}, seed {args.seed})")


if __name__ == "__main__":
    main()
