"""The mel autoencoder: a lean KL-regularised 2D convolutional VAE in AudioLDM's layout.

A log-mel [B, 1, 64, T] (docs/bundle-format.md) is encoded to a latent [B, 8, 16, T/4] (4x down in frequency
and time) and decoded back. Inputs are shifted and scaled by fixed constants inside the model, so the ONNX
graphs take and return plain log-mel. The latent fed to the diffusion model is `mean * scaling_factor`, where
`scaling_factor` = 1 / std of the latent means on training data (computed after training, stored with the weights).

Layout per resolution level (channels[i], blocks[i] ResBlocks), levels joined by stride-2 convs (encoder) or
nearest x2 upsampling + conv (decoder); GroupNorm + SiLU ResBlocks as in AudioLDM's AutoencoderKL, without
attention (cheaper, and every layer stays translation-equivariant in time, so any T that is a multiple of 4 works).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from .melspec import LOG_FLOOR_VALUE, N_MELS

DOWNSAMPLE = 4  # in frequency and in time: two stride-2 stages


@dataclass
class VAEConfig:
    n_mels: int = N_MELS
    latent_channels: int = 8
    # One entry per resolution level (full, /2, /4). blocks[0] = 0 keeps full resolution cheap: one conv only.
    channels: tuple = (32, 64, 128)
    blocks: tuple = (0, 1, 2)
    groups: int = 8
    # Fixed input normalisation (log-mel mean and spread of the dataset, measured: mean -6.6, std 3.0).
    mel_mean: float = -6.0
    mel_std: float = 3.0
    log_floor: float = LOG_FLOOR_VALUE

    def __post_init__(self):
        self.channels = tuple(int(c) for c in self.channels)
        self.blocks = tuple(int(b) for b in self.blocks)
        if len(self.channels) != 3 or len(self.blocks) != 3:
            raise ValueError("channels and blocks need 3 levels (x4 downsampling)")
        if self.n_mels % DOWNSAMPLE != 0:
            raise ValueError(f"n_mels must be a multiple of {DOWNSAMPLE}, got {self.n_mels}")
        if any(c % self.groups for c in self.channels):
            raise ValueError(f"channels {self.channels} must be multiples of groups={self.groups}")

    @property
    def latent_freq(self) -> int:
        return self.n_mels // DOWNSAMPLE


SMOKE_CONFIG = dict(channels=(8, 16, 16), blocks=(0, 1, 1))


class ResBlock(nn.Module):
    def __init__(self, c_in: int, c_out: int, groups: int):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, c_in)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.norm2 = nn.GroupNorm(groups, c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        return self.skip(x) + h


class Encoder(nn.Module):
    def __init__(self, cfg: VAEConfig):
        super().__init__()
        ch, nb = cfg.channels, cfg.blocks
        self.conv_in = nn.Conv2d(1, ch[0], 3, padding=1)
        layers: list[nn.Module] = []
        for level in range(3):
            layers += [ResBlock(ch[level], ch[level], cfg.groups) for _ in range(nb[level])]
            if level < 2:
                layers.append(nn.Conv2d(ch[level], ch[level + 1], 3, stride=2, padding=1))
        layers.append(ResBlock(ch[2], ch[2], cfg.groups))  # middle
        self.body = nn.Sequential(*layers)
        self.norm_out = nn.GroupNorm(cfg.groups, ch[2])
        self.conv_out = nn.Conv2d(ch[2], 2 * cfg.latent_channels, 3, padding=1)

    def forward(self, x):
        h = self.body(self.conv_in(x))
        return self.conv_out(F.silu(self.norm_out(h)))


class Upsample(nn.Module):
    def __init__(self, c_in: int, c_out: int):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class Decoder(nn.Module):
    def __init__(self, cfg: VAEConfig):
        super().__init__()
        ch, nb = cfg.channels, cfg.blocks
        layers: list[nn.Module] = [nn.Conv2d(cfg.latent_channels, ch[2], 3, padding=1), ResBlock(ch[2], ch[2], cfg.groups)]
        for level in (2, 1, 0):
            layers += [ResBlock(ch[level], ch[level], cfg.groups) for _ in range(nb[level])]
            if level > 0:
                layers.append(Upsample(ch[level], ch[level - 1]))
        self.body = nn.Sequential(*layers)
        self.norm_out = nn.GroupNorm(cfg.groups, ch[0])
        self.conv_out = nn.Conv2d(ch[0], 1, 3, padding=1)

    def forward(self, z):
        return self.conv_out(F.silu(self.norm_out(self.body(z))))


class MelVAE(nn.Module):
    def __init__(self, cfg: VAEConfig | None = None, scaling_factor: float = 1.0):
        super().__init__()
        self.config = cfg or VAEConfig()
        self.encoder = Encoder(self.config)
        self.decoder = Decoder(self.config)
        self.register_buffer("scaling_factor", torch.tensor(float(scaling_factor)))

    def encode(self, mel: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """log-mel [B, 1, 64, T] -> (mean, logvar), each [B, C, 16, T/4]."""
        x = (mel - self.config.mel_mean) / self.config.mel_std
        moments = self.encoder(x)
        mean, logvar = moments.chunk(2, dim=1)
        return mean, logvar.clamp(-30.0, 20.0)

    def decode(self, latent: torch.Tensor) -> torch.Tensor:
        """latent [B, C, 16, T'] -> log-mel [B, 1, 64, 4 T']; at inference clamped to the log floor."""
        mel = self.decoder(latent) * self.config.mel_std + self.config.mel_mean
        if not self.training:
            mel = mel.clamp(min=self.config.log_floor)
        return mel

    def forward(self, mel: torch.Tensor, sample: bool = True):
        mean, logvar = self.encode(mel)
        z = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean) if sample else mean
        return self.decode(z), mean, logvar


class EncoderForExport(nn.Module):
    """ONNX graph `mel` -> `latent_mean`."""

    def __init__(self, vae: MelVAE):
        super().__init__()
        self.vae = vae

    def forward(self, mel):
        return self.vae.encode(mel)[0]


class DecoderForExport(nn.Module):
    """ONNX graph `latent_sample` -> `mel`."""

    def __init__(self, vae: MelVAE):
        super().__init__()
        self.vae = vae

    def forward(self, latent_sample):
        return self.vae.decode(latent_sample)


@dataclass
class VAELossWeights:
    l1: float = 1.0
    # L1 of the time and frequency differences: keeps onsets and harmonics sharp (plain L1 blurs them).
    detail: float = 0.5
    # KL summed over the latent, per mel element (AudioLDM uses 1e-6 on summed L1 and summed KL).
    kl: float = 1e-5


def kl_per_element(mean: torch.Tensor, logvar: torch.Tensor, n_mel_elements: int) -> torch.Tensor:
    """KL(q(z|x) || N(0, I)) summed over each item's latent, divided by its mel element count, batch mean."""
    kl = 0.5 * (mean.pow(2) + logvar.exp() - 1.0 - logvar)
    return kl.flatten(1).sum(1).mean() / n_mel_elements


def detail_l1(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    dt = (torch.diff(pred, dim=-1) - torch.diff(target, dim=-1)).abs().mean()
    df = (torch.diff(pred, dim=-2) - torch.diff(target, dim=-2)).abs().mean()
    return dt + df


def vae_loss(vae: MelVAE, mel: torch.Tensor, weights: VAELossWeights) -> tuple[torch.Tensor, dict]:
    recon, mean, logvar = vae(mel)
    l1 = (recon - mel).abs().mean()
    detail = detail_l1(recon, mel) if weights.detail > 0 else torch.zeros((), device=mel.device)
    kl = kl_per_element(mean, logvar, mel[0].numel())
    total = weights.l1 * l1 + weights.detail * detail + weights.kl * kl
    return total, {"loss": total.item(), "l1": l1.item(), "detail": detail.item(), "kl": kl.item()}


@torch.no_grad()
def latent_scaling_factor(vae: MelVAE, batches) -> float:
    """1 / std of the latent means over `batches` of log-mel (AudioLDM / Stable Diffusion convention)."""
    total, total_sq, count = 0.0, 0.0, 0
    for mel in batches:
        mean, _ = vae.encode(mel)
        m = mean.double()
        total += m.sum().item()
        total_sq += m.pow(2).sum().item()
        count += m.numel()
    mu = total / count
    std = math.sqrt(max(total_sq / count - mu * mu, 1e-12))
    return 1.0 / std


def config_dict(cfg: VAEConfig) -> dict:
    d = asdict(cfg)
    d["channels"], d["blocks"] = list(cfg.channels), list(cfg.blocks)
    return d


def save_weights(path: Path, vae: MelVAE) -> None:
    """Weights-only file: {"kind", "config", "scaling_factor", "state_dict"} (loads with weights_only=True)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save({"kind": "foley-mel-vae", "config": config_dict(vae.config),
                "scaling_factor": float(vae.scaling_factor), "state_dict": vae.state_dict()}, tmp)
    tmp.replace(path)


def torch_load(path: Path):
    """torch.load of the files our own scripts write: weights_only where the torch version can read them (2.x;
    1.13's restricted unpickler rejects plain floats), else a full load."""
    import pickle

    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except (TypeError, pickle.UnpicklingError, RuntimeError):
        return torch.load(path, map_location="cpu")


def load_vae(path: Path) -> MelVAE:
    """Loads a weights file from `save_weights` (or a training checkpoint, which holds the same keys), in eval mode."""
    state = torch_load(path)
    vae = MelVAE(VAEConfig(**state["config"]), scaling_factor=state.get("scaling_factor", 1.0))
    vae.load_state_dict(state["state_dict"] if "state_dict" in state else state["model"])
    if "scaling_factor" in state:
        vae.scaling_factor.fill_(float(state["scaling_factor"]))
    return vae.eval()


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


__all__ = ["VAEConfig", "MelVAE", "VAELossWeights", "vae_loss", "latent_scaling_factor", "save_weights", "load_vae",
           "EncoderForExport", "DecoderForExport", "SMOKE_CONFIG", "DOWNSAMPLE", "count_parameters"]
