"""The pitch guide in PyTorch: the reference for foley's HarmonicComb (src/dsp/harmonic-comb.ts).

The STFT magnitude of a sound is weighted by a comb of Gaussian peaks at the harmonics h·f0 of a known
fundamental (floor between them and below 0.75·f0), then Griffin-Lim iterations (Griffin & Lim 1984), starting
from the sound's own phase, make the phase consistent with the weighted magnitude. The pipeline applies it to a
waveform whose prompt names a note and whose estimated pitch misses that note. training/make_fixtures.py writes
the parity fixture from this function.
"""
from __future__ import annotations

import torch

FLOOR = 0.05        # gain between the harmonics (-26 dB)
WIDTH_CENTS = 35.0  # standard deviation of each harmonic's peak, in cents of that harmonic
ITERATIONS = 8      # Griffin-Lim iterations after the weighting


def comb_mask(f0: float, sample_rate: int, n_fft: int, floor: float = FLOOR, width_cents: float = WIDTH_CENTS,
              dtype=torch.float64) -> torch.Tensor:
    """Gain per one-sided bin [n_fft // 2 + 1]."""
    f = torch.arange(n_fft // 2 + 1, dtype=dtype) * sample_rate / n_fft
    h = torch.clamp(torch.round(f / f0), min=1)
    sigma = torch.clamp(h * f0 * (2 ** (width_cents / 1200) - 1), min=sample_rate / n_fft)
    mask = floor + (1 - floor) * torch.exp(-0.5 * ((f - h * f0) / sigma) ** 2)
    mask[f < 0.75 * f0] = floor
    return mask


def guide(wav: torch.Tensor, f0: float, sample_rate: int = 16000, n_fft: int = 1024, hop: int = 160,
          win: int = 1024, floor: float = FLOOR, width_cents: float = WIDTH_CENTS,
          iterations: int = ITERATIONS) -> torch.Tensor:
    """wav [N] -> the guided wav [N] (same dtype)."""
    window = torch.hann_window(win, periodic=True, dtype=wav.dtype)
    n = wav.shape[-1]

    def stft(x):
        return torch.stft(x, n_fft, hop, win, window, center=True, pad_mode="reflect", return_complex=True)

    def istft(spec):
        return torch.istft(spec, n_fft, hop, win, window, center=True, length=n)

    spec = stft(wav)
    target = spec.abs() * comb_mask(f0, sample_rate, n_fft, floor, width_cents, wav.dtype)[:, None]
    out = istft(torch.polar(target, torch.angle(spec)))
    for _ in range(iterations):
        out = istft(torch.polar(target, torch.angle(stft(out))))
    return out
