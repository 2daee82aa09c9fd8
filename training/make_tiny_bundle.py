"""Write a tiny random foley bundle (docs/bundle-format.md) for the TypeScript tests: test/fixtures/tiny-bundle/.

Same contract as models/foley-small (file layout, ONNX names, dtypes, dynamic axes, config keys), with the real
TextEncoder and UNet1D classes at toy widths and small VAE/vocoder stand-ins, all with random weights, so the
whole folder stays well under 1 MB. Also writes parity/torch_outputs.json (PyTorch outputs on fixed inputs, for
the ONNX-vs-torch test) and parity/tokenizer_cases.json (the Python tokenizer's ids for the TS parity test).

    cd training && OMP_WAIT_POLICY=PASSIVE python3 make_tiny_bundle.py [--out ../test/fixtures/tiny-bundle]
"""
from __future__ import annotations

import argparse
import json
import math
import shutil
from pathlib import Path

import torch
from torch import nn

from foley_train.diffusion_model import SCHEDULER_CONFIG, TextEncoder, TextEncoderConfig, UNet1D, UNetConfig
from foley_train.tokenizer import WordTokenizer, fixture_cases

OPSET = 17
AUDIO = {"sample_rate": 16000, "n_fft": 1024, "hop_length": 160, "win_length": 1024, "n_mels": 64,
         "f_min": 0, "f_max": 8000, "mel_scale": "slaney", "mel_norm": "slaney", "log_floor": 1e-5}
LATENT_CHANNELS, DOWN_F, DOWN_T, SCALING = 4, 4, 4, 0.8
CAPTIONS = ["a soft plucked nylon guitar note, c4", "a loud cello note, g2", "a tight snare drum hit",
            "glass breaking", "footsteps on gravel", "a door slam", "rain on a tin roof", "an 808 kick drum",
            "a bright piano note, a4", "a soft flute note, eb5", "dog barking", "it's a bell"]
CLASSES = ["guitar", "cello", "snare", "glass", "footsteps", "door", "rain", "kick", "piano", "flute", "dog", "bell"]


class TinyVaeEncoder(nn.Module):
    """mel [B, 1, n_mels, T] → latent_mean [B, C, n_mels/4, T/4]: one strided conv (a patch embedding)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, LATENT_CHANNELS, (DOWN_F, DOWN_T), stride=(DOWN_F, DOWN_T))

    def forward(self, mel):
        return torch.tanh(self.conv((mel + 5.0) / 4.0))


class TinyVaeDecoder(nn.Module):
    """latent_sample [B, C, F, T'] → mel [B, 1, F·4, T'·4]; output centred on a quiet log-mel level."""

    def __init__(self):
        super().__init__()
        self.mix = nn.Conv2d(LATENT_CHANNELS, LATENT_CHANNELS, 3, padding=1)
        self.up = nn.ConvTranspose2d(LATENT_CHANNELS, 1, (DOWN_F, DOWN_T), stride=(DOWN_F, DOWN_T))

    def forward(self, latent_sample):
        return 2.0 * torch.tanh(self.up(torch.tanh(self.mix(latent_sample)))) - 5.0


class TinyVocoder(nn.Module):
    """log-mel [B, n_mels, T] → STFT real, imag [B, n_fft/2+1, T] through a rank-16 bottleneck.

    A fixed spectral tilt makes the output low-pass like real sounds, so a cut between unrelated audio is a
    visible jump (the loop-junction test relies on it)."""

    def __init__(self):
        super().__init__()
        bins = AUDIO["n_fft"] // 2 + 1
        self.hidden = nn.Conv1d(AUDIO["n_mels"], 16, 3, padding=1)
        self.real = nn.Conv1d(16, bins, 1)
        self.imag = nn.Conv1d(16, bins, 1)
        self.register_buffer("tilt", torch.exp(-torch.arange(bins, dtype=torch.float32) / 12.0)[None, :, None])

    def forward(self, mel):
        h = torch.tanh(self.hidden(mel + 5.0))
        gain = torch.exp(mel.mean(dim=1, keepdim=True) * 0.2)
        return self.real(h) * gain * self.tilt, self.imag(h) * gain * self.tilt


def randomise(module: nn.Module, std: float) -> None:
    """Random weights everywhere (the real classes zero-init some layers, which would make outputs trivial)."""
    g = torch.Generator().manual_seed(1234)
    for p in module.parameters():
        with torch.no_grad():
            p.copy_(torch.randn(p.shape, generator=g) * std / math.sqrt(max(1, p[0].numel() if p.dim() > 1 else 1)))


def write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def export(module, args, path: Path, inputs, outputs, axes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(module, args, str(path), input_names=inputs, output_names=outputs, dynamic_axes=axes,
                      opset_version=OPSET)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "test/fixtures/tiny-bundle")
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(2)
    out: Path = args.out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)

    tokenizer = WordTokenizer.build(CAPTIONS, max_length=16)
    (out / "tokenizer").mkdir()
    tokenizer.save(out / "tokenizer" / "tokenizer.json")
    words = sorted(w for w in tokenizer.vocab if not w.startswith("<"))
    write_json(out / "tokenizer" / "vocabulary.json", {"words": words, "classes": CLASSES})

    tc = TextEncoderConfig(vocab_size=len(tokenizer.vocab), max_length=16, width=16, layers=1, heads=2, hidden_size=32)
    text_encoder = TextEncoder(tc).eval()
    randomise(text_encoder, 1.0)
    uc = UNetConfig(in_channels=LATENT_CHANNELS, freq_bins=AUDIO["n_mels"] // DOWN_F, channels=(16, 32), layers_per_block=1,
                    cond_dim=32, cross_attention_dim=32, attention_heads=2, groups=8)
    unet = UNet1D(uc).eval()
    randomise(unet, 0.5)
    vae_encoder, vae_decoder, vocoder = TinyVaeEncoder().eval(), TinyVaeDecoder().eval(), TinyVocoder().eval()
    for m in (vae_encoder, vae_decoder):
        randomise(m, 1.0)
    randomise(vocoder, 0.3)

    ids = torch.tensor([tokenizer.encode(c) for c in CAPTIONS[:2]])
    export(text_encoder, (ids,), out / "text_encoder/model.onnx", ["input_ids"], ["text_embeds"],
           {"input_ids": {0: "batch", 1: "tokens"}, "text_embeds": {0: "batch"}})
    write_json(out / "text_encoder/config.json", {"_class_name": "FoleyTextEncoder", "hidden_size": tc.hidden_size,
               "max_length": tc.max_length, "vocab_size": tc.vocab_size, "width": tc.width, "layers": tc.layers, "heads": tc.heads})
    sample = torch.randn(2, uc.in_channels, uc.freq_bins, 4 * uc.time_multiple)
    export(unet, (sample, torch.tensor([999.0, 10.0]), torch.randn(2, uc.cross_attention_dim)), out / "unet/model.onnx",
           ["sample", "timestep", "encoder_hidden_states"], ["out_sample"],
           {"sample": {0: "batch", 3: "frames"}, "timestep": {0: "batch"}, "encoder_hidden_states": {0: "batch"},
            "out_sample": {0: "batch", 3: "frames"}})
    write_json(out / "unet/config.json", {"_class_name": "FoleyUNet1D", "in_channels": uc.in_channels, "freq_bins": uc.freq_bins,
               "cross_attention_dim": uc.cross_attention_dim, "time_multiple": uc.time_multiple,
               "prediction_type": SCHEDULER_CONFIG["prediction_type"], "channels": list(uc.channels),
               "layers_per_block": uc.layers_per_block, "parameters": sum(p.numel() for p in unet.parameters())})
    vae_config = {"latent_channels": LATENT_CHANNELS, "downsample_freq": DOWN_F, "downsample_time": DOWN_T, "scaling_factor": SCALING}
    mel = torch.randn(1, 1, AUDIO["n_mels"], 16) - 5.0
    export(vae_encoder, (mel,), out / "vae_encoder/model.onnx", ["mel"], ["latent_mean"],
           {"mel": {0: "batch", 3: "frames"}, "latent_mean": {0: "batch", 3: "latent_frames"}})
    write_json(out / "vae_encoder/config.json", {"_class_name": "TinyVaeEncoder", **vae_config})
    latent = torch.randn(1, LATENT_CHANNELS, uc.freq_bins, 4)
    export(vae_decoder, (latent,), out / "vae_decoder/model.onnx", ["latent_sample"], ["mel"],
           {"latent_sample": {0: "batch", 3: "latent_frames"}, "mel": {0: "batch", 3: "frames"}})
    write_json(out / "vae_decoder/config.json", {"_class_name": "TinyVaeDecoder", **vae_config})
    export(vocoder, (mel[:, 0],), out / "vocoder/model.onnx", ["mel"], ["real", "imag"],
           {"mel": {0: "batch", 2: "frames"}, "real": {0: "batch", 2: "frames"}, "imag": {0: "batch", 2: "frames"}})
    write_json(out / "vocoder/config.json", {"_class_name": "TinyVocoder", "output_kind": "stft", "n_fft": AUDIO["n_fft"],
               "hop_length": AUDIO["hop_length"], "win_length": AUDIO["win_length"], "window": "hann",
               "n_mels": AUDIO["n_mels"], "sample_rate": AUDIO["sample_rate"]})
    write_json(out / "scheduler/scheduler_config.json", {**SCHEDULER_CONFIG, "_diffusers_version": "0.30.0"})
    write_json(out / "model_index.json", {
        "_class_name": "AudioDiffusionPipeline", "_foley_version": "0.1.0", "name": "tiny-random", "audio": AUDIO,
        "components": {k: k for k in ("tokenizer", "text_encoder", "unet", "vae_encoder", "vae_decoder", "vocoder", "scheduler")},
        "defaults": {"num_inference_steps": 4, "guidance_scale": 3.0, "scheduler": "DPMSolverMultistepScheduler",
                     "duration_seconds": 0.5}})
    (out / "README.md").write_text("# tiny-random\n\nRandom weights for tests only: it makes noise, not sounds. "
                                   "Written by `training/make_tiny_bundle.py`.\n")

    # Parity: PyTorch outputs on fixed inputs (the TS tests run the ONNX files through OnnxSession on the same inputs).
    g = torch.Generator().manual_seed(7)
    p_ids = torch.tensor([tokenizer.encode(p) for p in ["a soft cello note, g2", "glass breaking", ""]])
    p_sample = torch.randn(2, uc.in_channels, uc.freq_bins, 2 * uc.time_multiple, generator=g)
    p_t = torch.tensor([900.0, 37.5])
    p_mel = torch.randn(1, 1, AUDIO["n_mels"], 8, generator=g) - 5.0
    with torch.no_grad():
        embeds = text_encoder(p_ids)
        out_sample = unet(p_sample, p_t, embeds[:2])
        latent_mean = vae_encoder(p_mel)
        decoded = vae_decoder(latent_mean)
        real, imag = vocoder(p_mel[:, 0])
    flat = lambda t: [round(float(v), 7) for v in t.flatten()]  # noqa: E731
    write_json(out / "parity/torch_outputs.json", {
        "input_ids": p_ids.tolist(), "text_embeds": flat(embeds), "text_embeds_dims": list(embeds.shape),
        "sample": flat(p_sample), "sample_dims": list(p_sample.shape), "timestep": p_t.tolist(), "out_sample": flat(out_sample),
        "mel": flat(p_mel), "mel_dims": list(p_mel.shape), "latent_mean": flat(latent_mean), "latent_dims": list(latent_mean.shape),
        "decoded_mel": flat(decoded), "real": flat(real[:, :40]), "imag": flat(imag[:, :40]), "spectrum_dims": list(real.shape)})
    cases = fixture_cases(tokenizer, CAPTIONS)
    write_json(out / "parity/tokenizer_cases.json", {"max_length": tokenizer.max_length, "cases": cases})
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"tiny bundle written to {out} ({size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
