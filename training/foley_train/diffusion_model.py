"""The prompt encoder and the latent denoiser of foley's text-to-audio model.

TextEncoder: word embeddings + a small pre-norm transformer (Vaswani et al. 2017) + masked mean pooling → one
vector per prompt. Denoiser: a 1-D UNet over VAE latents whose channels × frequency bins become the convolution
channels (the latent has only 16 frequency rows, so full connectivity across frequency costs little and keeps a
step cheap), conditioned by FiLM (Perez et al. 2018) on timestep and text, with self-attention at the lowest
resolution. Both export to ONNX with dynamic batch and time axes (docs/bundle-format.md).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch
from torch import nn
import torch.nn.functional as F


@dataclass
class TextEncoderConfig:
    vocab_size: int
    max_length: int = 32
    width: int = 192
    layers: int = 2
    heads: int = 4
    hidden_size: int = 256  # size of text_embeds (the UNet's cross_attention_dim)
    # Scale text_embeds to norm √hidden_size: a tower pre-trained contrastively (train_scorer) is only defined up
    # to scale, and unit-sized components suit the UNet's FiLM layers.
    normalize_output: bool = False


@dataclass
class UNetConfig:
    in_channels: int = 8
    freq_bins: int = 16
    # (96, 160, 224) cost 9.5 ms per batch-2 step at 5.12 s in onnxruntime-node on 2 threads and 1.15 s per batch-32
    # training step; (64, 128, 192) trains 1.5x faster, which a 2-core, 75-minute budget needs.
    channels: tuple = (64, 128, 192)
    layers_per_block: int = 2
    cond_dim: int = 256
    cross_attention_dim: int = 256
    attention_heads: int = 4
    groups: int = 32
    # A per-element linear path from the noisy latent to v, scaled by √(ᾱ/(1−ᾱ)): the exact v of a latent
    # dimension that holds only noise. The top level's 64 channels cannot carry a frame's 8 × 16 = 128 values, and
    # without this path the model left about half the noise in place at low noise levels (x0 error at t = 49 only
    # 1.8× below the untouched input's; training/README.md, "denoising probe").
    input_skip: bool = False

    @property
    def time_multiple(self) -> int:
        return 2 ** (len(self.channels) - 1)


class SelfAttention(nn.Module):
    """Multi-head self-attention written with plain matmuls so torch 1.13 exports it to ONNX cleanly."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)

    def forward(self, x: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
        b, n, d = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-1, -2) * (1.0 / math.sqrt(d // self.heads))
        if bias is not None:
            scores = scores + bias
        y = scores.softmax(-1) @ v
        return self.out(y.transpose(1, 2).reshape(b, n, d))


class TextEncoder(nn.Module):
    def __init__(self, config: TextEncoderConfig):
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.width, padding_idx=0)
        self.position = nn.Parameter(torch.zeros(config.max_length, config.width))
        self.blocks = nn.ModuleList()
        for _ in range(config.layers):
            self.blocks.append(nn.ModuleDict({
                "norm1": nn.LayerNorm(config.width), "attn": SelfAttention(config.width, config.heads),
                "norm2": nn.LayerNorm(config.width),
                "mlp": nn.Sequential(nn.Linear(config.width, 4 * config.width), nn.GELU(), nn.Linear(4 * config.width, config.width)),
            }))
        self.norm = nn.LayerNorm(config.width)
        self.proj = nn.Linear(config.width, config.hidden_size)
        nn.init.normal_(self.position, std=0.02)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        mask = (input_ids != 0).to(torch.float32)  # [B, L]
        x = self.embed(input_ids) + self.position[: input_ids.shape[1]]
        bias = ((1.0 - mask) * -1e4)[:, None, None, :]
        for block in self.blocks:
            x = x + block["attn"](block["norm1"](x), bias)
            x = x + block["mlp"](block["norm2"](x))
        x = self.norm(x)
        # Masked mean: an empty prompt (all padding) pools to zero and the projection's bias is the null text.
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)
        out = self.proj(pooled)
        if self.config.normalize_output:
            out = out * (math.sqrt(out.shape[-1]) / out.norm(dim=-1, keepdim=True).clamp(min=1e-6))
        return out


def timestep_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal embedding of (possibly fractional) timesteps (Vaswani et al. 2017 §3.5, as in DDPM)."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t.to(torch.float32)[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class ResBlock(nn.Module):
    """GroupNorm–SiLU–conv ×2 with FiLM (scale, shift) from the conditioning vector after the first conv."""

    def __init__(self, cin: int, cout: int, cond_dim: int, groups: int):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin)
        self.conv1 = nn.Conv1d(cin, cout, 3, padding=1)
        self.film = nn.Linear(cond_dim, 2 * cout)
        self.norm2 = nn.GroupNorm(groups, cout)
        self.conv2 = nn.Conv1d(cout, cout, 3, padding=1)
        self.skip = nn.Conv1d(cin, cout, 1) if cin != cout else nn.Identity()
        nn.init.zeros_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        scale, shift = self.film(cond)[:, :, None].chunk(2, dim=1)
        h = self.norm2(h) * (1 + scale) + shift
        h = self.conv2(F.silu(h))
        return self.skip(x) + h


class AttentionBlock(nn.Module):
    def __init__(self, width: int, heads: int, groups: int):
        super().__init__()
        self.norm = nn.GroupNorm(groups, width)
        self.attn = SelfAttention(width, heads)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.norm(x).transpose(1, 2)
        return x + self.attn(h).transpose(1, 2)


class UNet1D(nn.Module):
    def __init__(self, config: UNetConfig):
        super().__init__()
        self.config = config
        c, e, g = config.channels, config.cond_dim, config.groups
        flat = config.in_channels * config.freq_bins
        self.time_mlp = nn.Sequential(nn.Linear(128, e), nn.SiLU(), nn.Linear(e, e))
        self.text_proj = nn.Sequential(nn.Linear(config.cross_attention_dim, e), nn.SiLU(), nn.Linear(e, e))
        self.conv_in = nn.Conv1d(flat, c[0], 3, padding=1)
        self.down = nn.ModuleList()
        skips = [c[0]]
        width = c[0]
        for level, ch in enumerate(c):
            for _ in range(config.layers_per_block):
                self.down.append(ResBlock(width, ch, e, g))
                width = ch
                skips.append(width)
            if level < len(c) - 1:
                self.down.append(nn.Conv1d(width, width, 3, stride=2, padding=1))
                skips.append(width)
        self.mid = nn.ModuleList([ResBlock(width, width, e, g), AttentionBlock(width, config.attention_heads, g),
                                  ResBlock(width, width, e, g)])
        self.up = nn.ModuleList()
        for level, ch in reversed(list(enumerate(c))):
            for _ in range(config.layers_per_block + 1):
                self.up.append(ResBlock(width + skips.pop(), ch, e, g))
                width = ch
            if level > 0:
                self.up.append(nn.Upsample(scale_factor=2, mode="nearest"))
                self.up.append(nn.Conv1d(width, width, 3, padding=1))
        self.norm_out = nn.GroupNorm(g, width)
        self.conv_out = nn.Conv1d(width, flat, 3, padding=1)
        nn.init.zeros_(self.conv_out.weight)
        nn.init.zeros_(self.conv_out.bias)
        if config.input_skip:
            self.skip_in = nn.Conv1d(flat, flat, 1)
            nn.init.zeros_(self.skip_in.weight)  # starts as the model without it (so --init from one works)
            nn.init.zeros_(self.skip_in.bias)
            self.register_buffer("alphas_cumprod", alphas_cumprod().to(torch.float32), persistent=False)

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor, encoder_hidden_states: torch.Tensor) -> torch.Tensor:
        b, ch, fb, t = sample.shape
        cond = F.silu(self.time_mlp(timestep_embedding(timestep, 128)) + self.text_proj(encoder_hidden_states))
        h = self.conv_in(sample.reshape(b, ch * fb, t))
        hs = [h]
        for layer in self.down:
            h = layer(h, cond) if isinstance(layer, ResBlock) else layer(h)
            hs.append(h)
        for layer in self.mid:
            h = layer(h, cond) if isinstance(layer, ResBlock) else layer(h)
        for layer in self.up:
            if isinstance(layer, ResBlock):
                h = layer(torch.cat([h, hs.pop()], dim=1), cond)
            else:
                h = layer(h)
        out = self.conv_out(F.silu(self.norm_out(h)))
        if self.config.input_skip:
            out = out + self.noise_gain(timestep)[:, None, None] * self.skip_in(sample.reshape(b, ch * fb, t))
        return out.reshape(b, ch, fb, t)

    def noise_gain(self, timestep: torch.Tensor) -> torch.Tensor:
        """√(ᾱ_t / (1 − ᾱ_t)), ᾱ linearly interpolated for fractional timesteps (k-diffusion samplers pass them)."""
        table = self.alphas_cumprod
        t = timestep.to(torch.float32).clamp(0, table.shape[0] - 1)
        low = t.floor().clamp(max=table.shape[0] - 2)
        frac = t - low
        low = low.to(torch.int64)
        a = table[low] * (1 - frac) + table[low + 1] * frac
        return (a / (1 - a)).sqrt()


# Noise schedule (diffusers' names): AudioLDM's scaled_linear betas, v-prediction (Salimans & Ho 2022).
SCHEDULER_CONFIG = {
    "_class_name": "DPMSolverMultistepScheduler",
    "num_train_timesteps": 1000,
    "beta_start": 0.0015,
    "beta_end": 0.0195,
    "beta_schedule": "scaled_linear",
    "trained_betas": None,
    "prediction_type": "v_prediction",
    "timestep_spacing": "trailing",
    "steps_offset": 0,
    "clip_sample": False,
    "set_alpha_to_one": False,
    "rescale_betas_zero_snr": False,
    "thresholding": False,
    "solver_order": 2,
    "algorithm_type": "dpmsolver++",
    "solver_type": "midpoint",
    "lower_order_final": True,
    "use_karras_sigmas": False,
}


def alphas_cumprod(config: dict = SCHEDULER_CONFIG) -> torch.Tensor:
    n = config["num_train_timesteps"]
    betas = torch.linspace(config["beta_start"] ** 0.5, config["beta_end"] ** 0.5, n, dtype=torch.float64) ** 2
    return torch.cumprod(1.0 - betas, dim=0)


def config_dict(config) -> dict:
    d = asdict(config)
    if isinstance(config, UNetConfig):
        d["channels"] = list(config.channels)
        d["time_multiple"] = config.time_multiple
    return d
