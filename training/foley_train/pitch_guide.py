"""The pitch guide in PyTorch: the reference for foley's HarmonicComb (src/dsp/harmonic-comb.ts).

The STFT magnitude of a sound is weighted by a comb of Gaussian peaks at the harmonics h·f0 of a known
fundamental (floor between them and below 0.75·f0), then Griffin-Lim iterations (Griffin & Lim 1984), starting
from the sound's own phase, make the phase consistent with the weighted magnitude. The pipeline applies it to a
waveform whose prompt names a note and whose estimated pitch misses that note. training/make_fixtures.py writes
the parity fixture from this function.

Below E3 the vocoder cannot hold a note's phase (its 64-band mel does not resolve partials under about 165 Hz, and
the periodicity it does make repeats every three hops, 33.3 Hz), so the comb cannot help there: `resynthesize`
rebuilds such a note as a sum of its harmonics h·f0, each with the amplitude the sound's STFT has at h·f0 over time
(a harmonic model in the manner of McAulay & Quatieri 1986, at the known f0) and Schroeder's low-crest-factor phases
(Schroeder 1970, φ_h = π·h·(h − 1) / H). It is the twin of src/dsp/harmonic-resynthesis.ts.
"""
from __future__ import annotations

import math

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


def resynthesize(wav: torch.Tensor, f0: float, sample_rate: int = 16000, n_fft: int = 1024, hop: int = 160,
                 win: int = 1024) -> torch.Tensor:
    """wav [N] -> the harmonic resynthesis [N] at fundamental f0 (float64 inside, the input's dtype out)."""
    x = wav.to(torch.float64)
    window = torch.hann_window(win, periodic=True, dtype=torch.float64)
    mag = torch.stft(x, n_fft, hop, win, window, center=True, pad_mode="reflect", return_complex=True).abs()
    bins, frames = mag.shape
    harmonics = int(math.ceil(sample_rate / 2 / f0)) - 1  # h·f0 < Nyquist
    h = torch.arange(1, harmonics + 1, dtype=torch.float64)
    position = h * f0 * n_fft / sample_rate
    low = position.floor().to(torch.int64)
    frac = position - low
    # a sinusoid of amplitude A peaks at A·Σw/2 in the STFT magnitude
    amp = (mag[low] * (1 - frac)[:, None] + mag[(low + 1).clamp(max=bins - 1)] * frac[:, None]) * (2 / window.sum())
    n = x.shape[-1]
    u = (torch.arange(n, dtype=torch.float64) / hop).clamp(max=frames - 1)
    m0 = u.floor().to(torch.int64).clamp(max=frames - 2)
    w = u - m0
    phase = math.pi * h * (h - 1) / harmonics
    t = torch.arange(n, dtype=torch.float64)
    y = torch.zeros(n, dtype=torch.float64)
    for start in range(0, harmonics, 32):  # 32 harmonics at a time bounds the [H, N] temporaries
        k = slice(start, start + 32)
        per_sample = amp[k][:, m0] * (1 - w) + amp[k][:, m0 + 1] * w  # linear between frame centres
        y += (per_sample * torch.cos(2 * math.pi * f0 * h[k, None] * t[None] / sample_rate + phase[k, None])).sum(0)
    return y.to(wav.dtype)
