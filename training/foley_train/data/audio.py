"""Clip conditioning: decode, resample to 16 kHz mono, trim, cap, fade, loudness-normalise, write 16-bit WAV."""
from __future__ import annotations

import subprocess
import tempfile
from math import gcd
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

SAMPLE_RATE = 16_000
HOP = 160
# 3.99 s: the longest clip whose AudioLDM mel has at most 400 frames (floor(N / 160) + 1 <= 400).
MAX_SAMPLES = 399 * HOP
FADE_S = 0.05
PEAK_CEILING = 10 ** (-1 / 20)  # -1 dBFS
TARGET_RMS = 10 ** (-20 / 20)   # -20 dBFS


def to_mono_16k(audio: np.ndarray, rate: int) -> np.ndarray:
    """Mix to mono (mean of channels) and resample with a polyphase anti-aliasing filter."""
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim == 2:
        audio = audio.mean(axis=1, dtype=np.float32)
    if rate != SAMPLE_RATE:
        g = gcd(int(rate), SAMPLE_RATE)
        audio = resample_poly(audio, SAMPLE_RATE // g, int(rate) // g)
    return audio.astype(np.float32)


def load_audio(path) -> np.ndarray:
    """Any file soundfile reads (wav, flac, ogg, aiff); other formats (e.g. wavpack) go through sox."""
    path = Path(path)
    try:
        data, rate = sf.read(str(path), always_2d=False, dtype="float32")
    except (RuntimeError, sf.LibsndfileError):
        with tempfile.NamedTemporaryFile(suffix=".wav") as tmp:
            subprocess.run(["sox", str(path), "-b", "16", tmp.name], check=True, capture_output=True)
            data, rate = sf.read(tmp.name, always_2d=False, dtype="float32")
    return to_mono_16k(data, rate)


def frame_rms(audio: np.ndarray, frame: int = HOP) -> np.ndarray:
    n = len(audio) // frame
    if n == 0:
        return np.array([float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))]) if len(audio) else np.zeros(1)
    frames = audio[: n * frame].astype(np.float64).reshape(n, frame)
    return np.sqrt(np.mean(frames ** 2, axis=1))


def active_rms(audio: np.ndarray) -> float:
    """RMS over the 10 ms frames within 40 dB of the loudest frame (loudness of the sounding part)."""
    rms = frame_rms(audio)
    top = rms.max()
    if top <= 0:
        return 0.0
    active = rms[rms >= top * 0.01]
    return float(np.sqrt(np.mean(active ** 2)))


def trim_and_cap(audio: np.ndarray, lead_db: float = -40.0, tail_db: float = -60.0,
                 max_samples: int = MAX_SAMPLES) -> np.ndarray:
    """Cut leading silence (keep 5 ms before the first frame within `lead_db` of the peak frame), cut the
    tail after the last frame within `tail_db`, cap the length with a fade-out at the cap."""
    rms = frame_rms(audio)
    top = rms.max()
    if top <= 0:
        return audio[:0]
    first = int(np.argmax(rms >= top * 10 ** (lead_db / 20)))
    above = np.nonzero(rms >= top * 10 ** (tail_db / 20))[0]
    start = max(0, first * HOP - SAMPLE_RATE // 200)
    stop = min(len(audio), (int(above[-1]) + 1) * HOP)
    clip = audio[start:stop].astype(np.float32).copy()
    fade = int(FADE_S * SAMPLE_RATE)
    if len(clip) > max_samples:
        clip = clip[:max_samples]
        clip[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    elif len(clip) > 4 * 64:
        short = min(fade, len(clip) // 4)  # soften the cut at the tail threshold
        clip[-short:] *= np.linspace(1.0, 0.0, short, dtype=np.float32)
    return clip


def normalise_rms(audio: np.ndarray, target: float = TARGET_RMS) -> np.ndarray:
    """Scale to `target` active RMS, then down (never up) so the peak stays at or below -1 dBFS."""
    level = active_rms(audio)
    if level <= 0:
        return audio
    out = audio * (target / level)
    return limit_peak(out)


def limit_peak(audio: np.ndarray, ceiling: float = PEAK_CEILING) -> np.ndarray:
    peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
    return audio * (ceiling / peak) if peak > ceiling else audio


def write_wav(path, audio: np.ndarray) -> None:
    """16-bit PCM mono at 16 kHz, written atomically."""
    path = Path(path)
    tmp = path.with_suffix(".tmp.wav")
    pcm = np.clip(np.round(audio * 32767.0), -32768, 32767).astype(np.int16)
    sf.write(str(tmp), pcm, SAMPLE_RATE, subtype="PCM_16")
    tmp.replace(path)


def read_wav(path) -> np.ndarray:
    data, rate = sf.read(str(path), dtype="float32")
    if rate != SAMPLE_RATE:
        raise ValueError(f"{path}: expected {SAMPLE_RATE} Hz, got {rate}")
    return data
