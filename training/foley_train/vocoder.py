"""The neural vocoder: log-mel -> STFT spectrum (real, imag), FreeV-style (vocoder-options.md section 5).

Magnitude: the pseudo-inverse of the mel filterbank gives a first magnitude (what Griffin-Lim starts from);
one ConvNeXt block, whose output layer starts at zero, predicts a log-magnitude residual, so step 0 is exactly
the pseudo-inverse magnitude. Phase: a ConvNeXt trunk on the log-mel with two linear heads (r, i); the phase is
the unit vector (r, i) / |(r, i)|, so the graph needs no atan2 and exports cleanly to ONNX. The inverse STFT
(centred periodic Hann 1024, hop 160) happens outside the graph: `torch.istft` here, `istft` from src/dsp in
TypeScript.

Losses (APNet / FreeV, no GAN): log-magnitude MSE, anti-wrapping instantaneous phase, group delay and
instantaneous angular frequency, STFT consistency, real/imag L1 and mel L1 of the resynthesised waveform.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Callable
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import melspec
from .melspec import HOP, LOG_FLOOR, N_FFT, N_MELS, WIN
from .vae import DOWNSAMPLE  # the VAE's time down-sampling

N_BINS = N_FFT // 2 + 1


@dataclass
class VocoderConfig:
    n_mels: int = N_MELS
    n_fft: int = N_FFT
    hop_length: int = HOP
    win_length: int = WIN
    dim: int = 192            # phase trunk width
    blocks: int = 6           # phase trunk ConvNeXt blocks
    kernel: int = 7
    mag_dim: int = 128        # magnitude refinement width (one ConvNeXt block)
    mag_kernel: int = 3       # the 513-channel input conv of the magnitude branch (its cost grows with the kernel)
    expansion: int = 3        # ConvNeXt inner width = expansion * dim
    mel_mean: float = -6.0
    mel_std: float = 3.0


SMOKE_CONFIG = dict(dim=32, blocks=2, mag_dim=32)


class ConvNeXtBlock(nn.Module):
    """Depthwise conv (time) -> LayerNorm -> pointwise MLP (GELU) -> layer scale -> residual; [B, C, T]."""

    def __init__(self, dim: int, kernel: int, expansion: int, layer_scale: float):
        super().__init__()
        self.dwconv = nn.Conv1d(dim, dim, kernel, padding=kernel // 2, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.pw1 = nn.Linear(dim, expansion * dim)
        self.pw2 = nn.Linear(expansion * dim, dim)
        self.gamma = nn.Parameter(torch.full((dim,), layer_scale))

    def forward(self, x):
        h = self.dwconv(x).transpose(1, 2)
        h = self.pw2(F.gelu(self.pw1(self.norm(h))))
        return x + (self.gamma * h).transpose(1, 2)


def pseudo_inverse_filterbank() -> torch.Tensor:
    """[513, 64] matrix P with P @ mel ~ magnitude (least squares inverse of the Slaney filterbank)."""
    _, fb = melspec._window_and_filters(torch.device("cpu"), torch.float64)  # fb: [513, 64]
    return torch.linalg.pinv(fb.t()).to(torch.float32)


class NeuralVocoder(nn.Module):
    def __init__(self, cfg: VocoderConfig | None = None):
        super().__init__()
        self.config = cfg = cfg or VocoderConfig()
        if (cfg.n_mels, cfg.n_fft, cfg.hop_length, cfg.win_length) != (N_MELS, N_FFT, HOP, WIN):
            raise ValueError("the vocoder follows melspec.py's analysis (64 mels, n_fft 1024, hop 160, win 1024)")
        self.register_buffer("pinv", pseudo_inverse_filterbank())
        n_bins = cfg.n_fft // 2 + 1
        layer_scale = 1.0 / cfg.blocks
        # Magnitude refinement: log pseudo-inverse magnitude -> residual, zero at initialisation.
        self.mag_in = nn.Conv1d(n_bins, cfg.mag_dim, cfg.mag_kernel, padding=cfg.mag_kernel // 2)
        self.mag_block = ConvNeXtBlock(cfg.mag_dim, cfg.kernel, cfg.expansion, layer_scale)
        self.mag_norm = nn.LayerNorm(cfg.mag_dim, eps=1e-6)
        self.mag_out = nn.Linear(cfg.mag_dim, n_bins)
        nn.init.zeros_(self.mag_out.weight)
        nn.init.zeros_(self.mag_out.bias)
        # Phase trunk on the log-mel.
        self.phase_in = nn.Conv1d(cfg.n_mels, cfg.dim, cfg.kernel, padding=cfg.kernel // 2)
        self.phase_in_norm = nn.LayerNorm(cfg.dim, eps=1e-6)
        self.phase_blocks = nn.ModuleList(ConvNeXtBlock(cfg.dim, cfg.kernel, cfg.expansion, layer_scale)
                                          for _ in range(cfg.blocks))
        self.phase_norm = nn.LayerNorm(cfg.dim, eps=1e-6)
        self.head_r = nn.Linear(cfg.dim, n_bins)
        self.head_i = nn.Linear(cfg.dim, n_bins)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Conv1d, nn.Linear)) and m.weight.abs().sum() > 0:
            nn.init.trunc_normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)

    def log_pinv_magnitude(self, log_mel: torch.Tensor) -> torch.Tensor:
        mel = torch.exp(log_mel)
        return torch.log(torch.clamp(torch.matmul(self.pinv, mel).abs(), min=LOG_FLOOR))

    def components(self, log_mel: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """log-mel [B, 64, T] -> (log magnitude, r, i), each [B, 513, T]; (r, i) not yet normalised."""
        log_mag0 = self.log_pinv_magnitude(log_mel)
        h = self.mag_in(log_mag0).transpose(1, 2)
        h = self.mag_block(self.mag_norm(h).transpose(1, 2)).transpose(1, 2)
        log_mag = log_mag0 + self.mag_out(h).transpose(1, 2)
        x = (log_mel - self.config.mel_mean) / self.config.mel_std
        h = self.phase_in_norm(self.phase_in(x).transpose(1, 2)).transpose(1, 2)
        for block in self.phase_blocks:
            h = block(h)
        h = self.phase_norm(h.transpose(1, 2))
        return log_mag, self.head_r(h).transpose(1, 2), self.head_i(h).transpose(1, 2)

    def forward(self, log_mel: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """log-mel [B, 64, T] -> (real, imag) [B, 513, T] of the centred STFT (periodic Hann 1024, hop 160)."""
        log_mag, r, i = self.components(log_mel)
        scale = torch.exp(log_mag) / torch.sqrt(r * r + i * i + 1e-12)
        return r * scale, i * scale


# --- STFT helpers (training and evaluation) -----------------------------------------------------------------

def stft(wav: torch.Tensor, n_fft: int = N_FFT, hop: int = HOP, win: int = WIN) -> torch.Tensor:
    window = torch.hann_window(win, periodic=True, device=wav.device, dtype=wav.dtype)
    return torch.stft(wav, n_fft, hop_length=hop, win_length=win, window=window, center=True, pad_mode="reflect",
                      return_complex=True)


def istft(real: torch.Tensor, imag: torch.Tensor, length: int | None = None) -> torch.Tensor:
    """(real, imag) [B, 513, T] -> waveform [B, length or hop*(T-1)] (centred periodic Hann 1024, hop 160)."""
    window = torch.hann_window(WIN, periodic=True, device=real.device, dtype=real.dtype)
    return torch.istft(torch.complex(real, imag), N_FFT, hop_length=HOP, win_length=WIN, window=window,
                       center=True, length=length)


def anti_wrap(x: torch.Tensor) -> torch.Tensor:
    """|x - 2 pi round(x / 2 pi)|: the distance of a phase difference to the nearest multiple of 2 pi."""
    return (x - 2 * math.pi * torch.round(x / (2 * math.pi))).abs()


def masked_mean(x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    if mask is None:
        return x.mean()
    return (x * mask).sum() / mask.sum().clamp(min=1.0)


def phase_losses(phase_hat, phase, mask=None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Anti-wrapping instantaneous phase, group delay (frequency difference), instantaneous angular frequency
    (time difference) losses (Ai & Ling, APNet, 2023). `mask` [B, F, T] restricts them to audible bins."""
    ip = masked_mean(anti_wrap(phase_hat - phase), mask)
    gd_mask = None if mask is None else mask[:, 1:, :] * mask[:, :-1, :]
    gd = masked_mean(anti_wrap(torch.diff(phase_hat, dim=1) - torch.diff(phase, dim=1)), gd_mask)
    iaf_mask = None if mask is None else mask[:, :, 1:] * mask[:, :, :-1]
    iaf = masked_mean(anti_wrap(torch.diff(phase_hat, dim=2) - torch.diff(phase, dim=2)), iaf_mask)
    return ip, gd, iaf


MRSTFT_RESOLUTIONS = ((512, 50, 240), (1024, 120, 600), (2048, 240, 1200))  # (n_fft, hop, win) at 16 kHz


def mrstft_distance(wav_hat: torch.Tensor, wav: torch.Tensor, resolutions=MRSTFT_RESOLUTIONS) -> torch.Tensor:
    """Multi-resolution STFT distance: mean over resolutions of spectral convergence ||S - S^||_F / ||S||_F plus
    mean |log S - log S^| (magnitudes floored at 1e-5, as the log-mel), per item ([B]). The resolutions differ from the synthesis STFT, so phase
    incoherence shows."""
    total = torch.zeros(wav.shape[0], device=wav.device, dtype=wav.dtype)
    for n_fft, hop, win in resolutions:
        s_hat = stft(wav_hat, n_fft, hop, win).abs().clamp(min=LOG_FLOOR)
        s = stft(wav, n_fft, hop, win).abs().clamp(min=LOG_FLOOR)
        sc = torch.linalg.norm((s - s_hat).flatten(1), dim=1) / torch.linalg.norm(s.flatten(1), dim=1).clamp(min=1e-7)
        mag = (torch.log(s) - torch.log(s_hat)).abs().flatten(1).mean(1)
        total = total + sc + mag
    return total / len(resolutions)


@dataclass
class VocoderLossWeights:
    """APNet's published weights: 45 log-magnitude, 100 phase, 20 (consistency + 2.25 real/imag), 45 mel."""
    log_mag: float = 45.0
    # L1 between the log-mel of the predicted magnitude and the input: keeps the refined magnitude mel-consistent
    # (a log-magnitude MSE alone is dominated by near-silent bins that the mel hardly sees).
    mag_mel: float = 45.0
    phase: float = 100.0
    consistency: float = 20.0
    real_imag: float = 45.0
    mel: float = 45.0
    mrstft: float = 0.0
    # Phase losses only where the target is within this many dB of the clip's loudest bin (0 = everywhere):
    # phase in near-silent bins is noise, and notes decay into silence.
    phase_mask_db: float = 60.0
    # real/imag and consistency on a compressed spectrum |X|^c e^{j phase}: the raw STFT of loud notes reaches
    # hundreds, quiet tails 1e-3.
    compress: float = 0.3


def compressed(real, imag, c: float):
    mag = torch.sqrt(real * real + imag * imag + 1e-12)
    scale = mag.pow(c - 1.0)
    return real * scale, imag * scale


@torch.no_grad()
def vae_round_trip(vae: nn.Module, log_mel: torch.Tensor) -> torch.Tensor:
    """log-mel [B, 64, T] -> the VAE's encode (mean) -> decode of it, [B, 64, T]: the kind of log-mel the vocoder
    gets from the pipeline. T is padded (edge frames repeated) to the VAE's time multiple and cut back."""
    frames = log_mel.shape[-1]
    padded = F.pad(log_mel, (0, (-frames) % DOWNSAMPLE), mode="replicate")[:, None]
    return vae.decode(vae.encode(padded)[0])[:, 0, :, :frames]


def vocoder_loss(model: NeuralVocoder, wav: torch.Tensor, w: VocoderLossWeights,
                 hear: Callable[[torch.Tensor], torch.Tensor] | None = None) -> tuple[torch.Tensor, dict]:
    """wav [B, N] (N a multiple of the hop) -> total loss and its parts. With `hear`, the network hears
    `hear(log_mel)` (e.g. the VAE's reconstruction of the wav's log-mel) and is still held to the wav itself."""
    n = wav.shape[-1]
    target = stft(wav)
    log_mel = melspec.log_mel(wav)
    heard = log_mel if hear is None else hear(log_mel)
    log_mag, r, i = (t.float() for t in model.components(heard))  # float32 even under bf16 autocast
    target_mag = target.abs()
    target_log_mag = torch.log(target_mag.clamp(min=LOG_FLOOR))
    l_mag = F.mse_loss(log_mag, target_log_mag)
    fb = melspec._window_and_filters(wav.device, wav.dtype)[1]  # [513, 64]
    mag_mel = torch.log(torch.clamp(torch.matmul(fb.t(), torch.exp(log_mag)), min=LOG_FLOOR))
    l_mag_mel = (mag_mel - log_mel).abs().mean()
    mask = None
    if w.phase_mask_db > 0:
        peak = target_log_mag.flatten(1).max(1).values[:, None, None]
        mask = (target_log_mag > peak - w.phase_mask_db / 20.0 * math.log(10.0)).to(wav.dtype)
    ip, gd, iaf = phase_losses(torch.atan2(i, r), torch.angle(target), mask)
    norm = torch.sqrt(r * r + i * i + 1e-12)
    mag = torch.exp(log_mag)
    real, imag = mag * r / norm, mag * i / norm
    wav_hat = istft(real, imag, length=n)
    again = stft(wav_hat)
    cr, ci = compressed(real, imag, w.compress)
    tr, ti = compressed(target.real, target.imag, w.compress)
    ar, ai = compressed(again.real, again.imag, w.compress)
    l_ri = (cr - tr).abs().mean() + (ci - ti).abs().mean()
    l_cons = (ar - cr).abs().mean() + (ai - ci).abs().mean()
    l_mel = (melspec.log_mel(wav_hat) - log_mel).abs().mean()
    total = (w.log_mag * l_mag + w.mag_mel * l_mag_mel + w.phase * (ip + gd + iaf) + w.consistency * l_cons + w.real_imag * l_ri
             + w.mel * l_mel)
    parts = {"loss": total.item(), "log_mag": l_mag.item(), "mag_mel": l_mag_mel.item(), "ip": ip.item(), "gd": gd.item(), "iaf": iaf.item(),
             "consistency": l_cons.item(), "real_imag": l_ri.item(), "mel_l1": l_mel.item()}
    if w.mrstft > 0:
        l_mr = mrstft_distance(wav_hat, wav).mean()
        total = total + w.mrstft * l_mr
        parts["mrstft"], parts["loss"] = l_mr.item(), total.item()
    return total, parts


@torch.no_grad()
def vocode(model: NeuralVocoder, log_mel: torch.Tensor, length: int | None = None, gl_iters: int = 0,
           momentum: float = 0.99) -> torch.Tensor:
    """log-mel [B, 64, T] -> waveform [B, length]; optionally refined by fast Griffin-Lim iterations that keep
    the network's magnitude and start from its phase."""
    real, imag = model(log_mel)
    if gl_iters <= 0:
        return istft(real, imag, length)
    spec = torch.complex(real, imag)
    mag = spec.abs()
    length = length or HOP * (log_mel.shape[-1] - 1)
    previous = spec
    for _ in range(gl_iters):
        rebuilt = stft(istft(spec.real, spec.imag, length))
        accelerated = rebuilt + (momentum / (1 + momentum)) * (rebuilt - previous)
        previous = rebuilt
        spec = mag * accelerated / accelerated.abs().clamp(min=1e-16)
    return istft(spec.real, spec.imag, length)


class VocoderForExport(nn.Module):
    """ONNX graph `mel` -> (`real`, `imag`)."""

    def __init__(self, model: NeuralVocoder):
        super().__init__()
        self.model = model

    def forward(self, mel):
        return self.model(mel)


def config_dict(cfg: VocoderConfig) -> dict:
    return asdict(cfg)


def save_weights(path: Path, model: NeuralVocoder, trained_steps: int | None = None) -> None:
    """Weights-only file {"kind", "config", "state_dict", "trained_steps"} (loads with weights_only=True);
    trained_steps counts the steps of every run behind the weights, so a fine-tune can report its total."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save({"kind": "foley-vocoder", "config": config_dict(model.config), "state_dict": model.state_dict(),
                "trained_steps": trained_steps}, tmp)
    tmp.replace(path)


def load_vocoder(path: Path) -> NeuralVocoder:
    from .vae import torch_load

    state = torch_load(path)
    model = NeuralVocoder(VocoderConfig(**state["config"]))
    model.load_state_dict(state["state_dict"] if "state_dict" in state else state["model"])
    return model.eval()
