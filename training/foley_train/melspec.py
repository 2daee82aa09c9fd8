"""AudioLDM's log-mel spectrogram in torch (docs/bundle-format.md, audioldm-and-peers.md §1).

16 kHz; periodic Hann window of 1024; hop 160; centred STFT with reflect padding; magnitude spectrum;
64-band Slaney-scale, Slaney-normalised filterbank from 0 to 8000 Hz; natural log of max(x, 1e-5).
Frames for N samples: floor(N / 160) + 1.
"""
from __future__ import annotations

import math

import torch
import torchaudio

SAMPLE_RATE = 16_000
N_FFT = 1024
HOP = 160
WIN = 1024
N_MELS = 64
F_MIN = 0.0
F_MAX = 8000.0
LOG_FLOOR = 1e-5
LOG_FLOOR_VALUE = math.log(LOG_FLOOR)  # ln(1e-5) ≈ -11.513, the value of silence and of padding

_cache: dict[tuple, tuple[torch.Tensor, torch.Tensor]] = {}


def _window_and_filters(device, dtype) -> tuple[torch.Tensor, torch.Tensor]:
    key = (str(device), dtype)
    if key not in _cache:
        window = torch.hann_window(WIN, periodic=True, dtype=dtype, device=device)
        fb = torchaudio.functional.melscale_fbanks(N_FFT // 2 + 1, F_MIN, F_MAX, N_MELS, SAMPLE_RATE,
                                                   norm="slaney", mel_scale="slaney").to(device=device, dtype=dtype)
        _cache[key] = (window, fb)  # fb: [513, 64]
    return _cache[key]


def n_frames(n_samples: int) -> int:
    return n_samples // HOP + 1


def magnitude(wav: torch.Tensor) -> torch.Tensor:
    """|STFT| of [..., N] → [..., 513, frames]."""
    window, _ = _window_and_filters(wav.device, wav.dtype)
    shape = wav.shape
    flat = wav.reshape(-1, shape[-1])
    spec = torch.stft(flat, N_FFT, hop_length=HOP, win_length=WIN, window=window, center=True,
                      pad_mode="reflect", return_complex=True)
    return spec.abs().reshape(*shape[:-1], spec.shape[-2], spec.shape[-1])


def log_mel(wav: torch.Tensor) -> torch.Tensor:
    """Log-mel of a waveform [..., N] (float, 16 kHz) → [..., 64, floor(N/160)+1]."""
    _, fb = _window_and_filters(wav.device, wav.dtype)
    mag = magnitude(wav)
    mel = torch.matmul(mag.transpose(-1, -2), fb).transpose(-1, -2)
    return torch.log(torch.clamp(mel, min=LOG_FLOOR))


def log_mel_np(wav) -> "numpy.ndarray":  # noqa: F821
    """Convenience: numpy float waveform [N] → numpy float32 [64, frames]."""
    with torch.no_grad():
        return log_mel(torch.as_tensor(wav, dtype=torch.float32)).numpy()
