"""Fundamental-frequency estimation with YIN (de Cheveigné & Kawahara 2002), in numpy.

The difference function d(τ) = Σ_j (x_j − x_{j+τ})² is computed for every τ at once from FFT
cross-correlation and running energies; the cumulative-mean-normalised d'(τ) picks the first dip under a
threshold (step 4), refined by parabolic interpolation (step 5). A note's pitch is the median f0 of its
periodic, non-silent frames.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.signal import resample_poly

SAMPLE_RATE = 16_000


def difference_function(frame: np.ndarray, window: int, tau_max: int) -> np.ndarray:
    """d(τ) for τ = 0..tau_max over `window` samples; `frame` must hold window + tau_max samples."""
    x = frame.astype(np.float64)
    n = 1 << int(math.ceil(math.log2(window + tau_max + 1)))
    spec_full = np.fft.rfft(x, n)
    spec_head = np.fft.rfft(x[:window], n)
    corr = np.fft.irfft(spec_full * np.conj(spec_head), n)[: tau_max + 1]  # Σ_j x_j x_{j+τ}
    sq = np.concatenate([[0.0], np.cumsum(x * x)])
    energy_head = sq[window]
    energy_shift = sq[np.arange(tau_max + 1) + window] - sq[np.arange(tau_max + 1)]
    return np.maximum(energy_head + energy_shift - 2.0 * corr, 0.0)


def cmnd(d: np.ndarray) -> np.ndarray:
    """Cumulative-mean-normalised difference d'(τ); d'(0) = 1."""
    out = np.ones_like(d)
    running = np.cumsum(d[1:])
    tau = np.arange(1, len(d))
    with np.errstate(divide="ignore", invalid="ignore"):
        out[1:] = np.where(running > 0, d[1:] * tau / running, 1.0)
    return out


def yin_frame(frame: np.ndarray, sr: int, fmin: float, fmax: float, window: int,
              threshold: float = 0.15) -> tuple[float, float]:
    """(f0 in Hz, aperiodicity d' at the chosen lag) for one frame."""
    tau_min = max(2, int(sr / fmax))
    tau_max = int(sr / fmin)
    dn = cmnd(difference_function(frame, window, tau_max))
    below = np.nonzero(dn[tau_min:tau_max] < threshold)[0]
    if len(below):
        tau = tau_min + int(below[0])
        while tau + 1 < tau_max and dn[tau + 1] < dn[tau]:
            tau += 1
    else:
        tau = tau_min + int(np.argmin(dn[tau_min:tau_max]))
    # parabolic interpolation around the dip
    if 1 <= tau < len(dn) - 1:
        a, b, c = dn[tau - 1], dn[tau], dn[tau + 1]
        denom = a - 2 * b + c
        shift = 0.5 * (a - c) / denom if denom > 0 else 0.0
    else:
        shift = 0.0
    return sr / (tau + shift), float(dn[tau])


def f0_track(audio: np.ndarray, sr: int = SAMPLE_RATE, fmin: float = 25.0, fmax: float = 4200.0,
             window: int = 1024, hop: int = 320) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-frame (f0 Hz, aperiodicity, rms) over the signal."""
    tau_max = int(sr / fmin)
    span = window + tau_max + 1
    f0s, aps, rms = [], [], []
    for start in range(0, max(1, len(audio) - span + 1), hop):
        frame = audio[start:start + span]
        if len(frame) < span:
            frame = np.pad(frame, (0, span - len(frame)))
        f, ap = yin_frame(frame, sr, fmin, fmax, window)
        f0s.append(f)
        aps.append(ap)
        rms.append(float(np.sqrt(np.mean(frame[:window].astype(np.float64) ** 2))))
    return np.array(f0s), np.array(aps), np.array(rms)


def estimate_pitch(audio: np.ndarray, sr: int = SAMPLE_RATE, max_seconds: float = 0.6,
                   max_aperiodicity: float = 0.25) -> float | None:
    """Median f0 (Hz) of the periodic, non-quiet frames in the first `max_seconds` after the onset, or None
    when fewer than 3 frames are periodic."""
    audio = np.asarray(audio, dtype=np.float64)
    if audio.ndim == 2:
        audio = audio.mean(axis=1)
    if len(audio) == 0 or np.max(np.abs(audio)) == 0:
        return None
    env = np.abs(audio)
    onset = int(np.argmax(env >= 0.1 * env.max()))
    start = onset + int(0.03 * sr)  # skip the attack transient
    segment = audio[start:start + int(max_seconds * sr)]
    if len(segment) < 2048:
        segment = audio[onset:onset + int(max_seconds * sr)]
    hz = _median_f0(segment, sr, 25.0, max_aperiodicity)
    if hz is None or hz > 700.0:
        # high notes have periods of a few samples at 16 kHz: integer lags miss the dip, so look again at 4×
        # the rate (lags 4× finer) over the upper range only
        fine = _median_f0(resample_poly(segment, 4, 1), 4 * sr, 350.0, max_aperiodicity)
        if fine is not None and (hz is None or fine > 700.0 or abs(cents_off(fine, hz_to_midi(hz))) > 600):
            hz = fine
    return hz


def _median_f0(segment: np.ndarray, sr: int, fmin: float, max_aperiodicity: float) -> float | None:
    window = max(1024, int(sr / fmin) * 2) if sr > SAMPLE_RATE else 1024
    f0, ap, rms = f0_track(segment, sr, fmin=fmin, fmax=min(4200.0, sr / 3), window=window,
                           hop=320 * sr // SAMPLE_RATE)
    if len(f0) == 0 or rms.max() <= 0:
        return None
    good = (rms >= 0.05 * rms.max()) & (ap <= max_aperiodicity)
    if good.sum() < 3:
        return None
    return float(np.median(f0[good]))


def hz_to_midi(hz: float) -> float:
    return 69.0 + 12.0 * math.log2(hz / 440.0)


def cents_off(hz: float, midi: float) -> float:
    """Signed distance in cents from `hz` to MIDI note `midi`."""
    return 100.0 * (hz_to_midi(hz) - midi)


def pitch_correct(audio: np.ndarray, midi: int, sr: int = SAMPLE_RATE, tolerance_cents: float = 50.0) -> tuple[bool, float | None]:
    """(within tolerance, estimated f0) for a clip prompted with MIDI note `midi`."""
    hz = estimate_pitch(audio, sr)
    if hz is None:
        return False, None
    return abs(cents_off(hz, midi)) <= tolerance_cents, hz
