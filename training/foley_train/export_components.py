"""Export the VAE encoder, VAE decoder and vocoder to ONNX (opset 17) into a bundle, with parity fixtures.

    python3 -m foley_train.export_components --bundle models/foley-small \\
        --vae-ckpt training/checkpoints/vae/vae.pt --vocoder-ckpt training/checkpoints/vocoder/vocoder.pt

Writes `<bundle>/vae_encoder/`, `<bundle>/vae_decoder/`, `<bundle>/vocoder/` (model.onnx + config.json, names
and layouts per docs/bundle-format.md) and, unless `--no-fixtures`, parity fixtures for the TypeScript tests:
fixed inputs and the PyTorch outputs as little-endian float32 files with a JSON index, in
`<fixtures>/vae/` and `<fixtures>/vocoder/bundle/`. `--tiny-fixture` instead writes a small untrained vocoder as a
one-component bundle with its own parity data into `<fixtures>/vocoder/tiny-bundle/` (the TypeScript tests
always have a real ONNX vocoder to load, trained bundle or not).

If onnxruntime is importable, every exported graph is also run and compared with PyTorch (max |diff| <= 1e-4
relative to max(1, |reference|)); otherwise the TypeScript parity tests do that check.
"""
from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import math
import os
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402

from . import melspec  # noqa: E402
from .vae import DOWNSAMPLE, DecoderForExport, EncoderForExport, MelVAE, count_parameters, load_vae  # noqa: E402
from .vocoder import NeuralVocoder, VocoderConfig, VocoderForExport, istft, load_vocoder  # noqa: E402

OPSET = 17
REPO_ROOT = Path(__file__).resolve().parents[2]
TOLERANCE = 1e-4


def onnx_export(module: torch.nn.Module, args: tuple, path: Path, input_names, output_names, dynamic_axes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    kwargs = dict(input_names=input_names, output_names=output_names, dynamic_axes=dynamic_axes,
                  opset_version=OPSET, do_constant_folding=True)
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False  # torch 2.9+ defaults to the dynamo exporter; the TorchScript one is what we test
    tmp = path.with_suffix(".tmp.onnx")
    with torch.no_grad():
        torch.onnx.export(module.eval(), args, str(tmp), **kwargs)
    model = onnx.load(str(tmp))
    onnx.checker.check_model(model)
    tmp.replace(path)


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")


def sha256(*paths: Path) -> str:
    """One file's sha256; of several, the sha256 of their digests in order (a fixture made from two graphs)."""
    if len(paths) == 1:
        return hashlib.sha256(paths[0].read_bytes()).hexdigest()
    return hashlib.sha256("".join(sha256(path) for path in paths).encode()).hexdigest()


def fixture_is_current(index: Path, model_sha256: str) -> bool:
    """The fixture whose index is at `index` was written from these same ONNX bytes, so it still holds (rewriting
    it only churns the repository: thread counts change the low bits of the PyTorch outputs)."""
    if index.exists() and json.loads(index.read_text()).get("model_sha256") == model_sha256:
        print(f"{index}: model unchanged, fixture kept")
        return True
    return False


def write_fixture(folder: Path, model_path: Path, inputs: dict[str, np.ndarray], outputs: dict[str, np.ndarray],
                  note: str, reference: dict[str, np.ndarray] | None = None) -> None:
    """folder/parity.json + one .f32 file per tensor (little-endian float32, C order). `reference` holds values
    computed from the outputs outside the graph (the vocoder's torch.istft waveform)."""
    model_sha256 = sha256(model_path)
    if fixture_is_current(folder / "parity.json", model_sha256):
        return
    folder.mkdir(parents=True, exist_ok=True)
    index = {"model_sha256": model_sha256, "tolerance": TOLERANCE, "note": note, "inputs": {}, "outputs": {},
             "reference": {}}
    for kind, tensors in (("inputs", inputs), ("outputs", outputs), ("reference", reference or {})):
        for name, array in tensors.items():
            file = f"{kind.rstrip('s')}_{name}.f32"
            np.ascontiguousarray(array, dtype="<f4").tofile(folder / file)
            index[kind][name] = {"dims": list(array.shape), "file": file}
    write_json(folder / "parity.json", index)


def check_with_onnxruntime(model_path: Path, inputs: dict[str, np.ndarray], outputs: dict[str, np.ndarray]) -> str:
    try:
        import onnxruntime
    except ImportError:
        return "onnxruntime (python) not installed: parity checked by the TypeScript tests"
    session = onnxruntime.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    got = session.run(list(outputs), inputs)
    worst = 0.0
    for (name, ref), value in zip(outputs.items(), got):
        err = float(np.max(np.abs(value - ref) / np.maximum(1.0, np.abs(ref))))
        worst = max(worst, err)
        if err > TOLERANCE:
            raise SystemExit(f"{model_path}: onnxruntime output {name} differs from PyTorch by {err:.2e}")
    return f"onnxruntime parity ok (max relative diff {worst:.1e})"


def fixture_mel(frames: int) -> np.ndarray:
    """A deterministic, realistic log-mel [64, frames]: a decaying harmonic tone from melspec.py."""
    t = torch.arange(frames * melspec.HOP) / melspec.SAMPLE_RATE
    wave = sum(torch.sin(2 * math.pi * 196.0 * h * t) / h for h in range(1, 8)) * 0.3 * torch.exp(-3.0 * t)
    return melspec.log_mel(wave)[:, :frames].numpy().astype(np.float32)


def vae_config_json(vae: MelVAE) -> dict:
    c = vae.config
    return {"_class_name": "AutoencoderKL", "latent_channels": c.latent_channels, "downsample_freq": DOWNSAMPLE,
            "downsample_time": DOWNSAMPLE, "scaling_factor": float(vae.scaling_factor), "n_mels": c.n_mels,
            "latent_freq_bins": c.latent_freq, "log_floor": c.log_floor, "block_out_channels": list(c.channels),
            "layers_per_block": list(c.blocks), "parameters": count_parameters(vae)}


# The lowest note whose pitch survives the vocoder: through it, real test notes below E3 (MIDI 52) came out at the
# wrong pitch 32 times in 46, those above 5 in 146 (`foley_train.eval.ceiling`). The pitch guide rebuilds prompted
# notes below it from their harmonics (pitch_guide.resynthesize).
PITCH_FLOOR_MIDI = 52


def vocoder_config_json(model: NeuralVocoder) -> dict:
    c = model.config
    return {"_class_name": "FreeVStyleVocoder", "output_kind": "stft", "n_fft": c.n_fft, "hop_length": c.hop_length,
            "win_length": c.win_length, "window": "hann", "center": True, "n_mels": c.n_mels,
            "sample_rate": melspec.SAMPLE_RATE, "dim": c.dim, "blocks": c.blocks, "parameters": count_parameters(model),
            "pitch_floor_midi": PITCH_FLOOR_MIDI}


def export_vae(vae: MelVAE, bundle: Path, fixtures: Path | None) -> list[str]:
    notes = []
    vae = vae.eval()
    c = vae.config
    mel = torch.from_numpy(fixture_mel(16))[None, None]  # [1, 1, 64, 16]
    enc_path = bundle / "vae_encoder" / "model.onnx"
    onnx_export(EncoderForExport(vae), (mel,), enc_path, ["mel"], ["latent_mean"],
                {"mel": {0: "batch", 3: "frames"}, "latent_mean": {0: "batch", 3: "latent_frames"}})
    write_json(bundle / "vae_encoder" / "config.json", vae_config_json(vae))
    with torch.no_grad():
        latent = vae.encode(mel)[0]
        decoded = vae.decode(latent)
    dec_path = bundle / "vae_decoder" / "model.onnx"
    onnx_export(DecoderForExport(vae), (latent,), dec_path, ["latent_sample"], ["mel"],
                {"latent_sample": {0: "batch", 3: "latent_frames"}, "mel": {0: "batch", 3: "frames"}})
    write_json(bundle / "vae_decoder" / "config.json", vae_config_json(vae))
    # fixtures: a batch of 2 with a different length than the export trace, to exercise the dynamic axes
    mel2 = torch.from_numpy(np.stack([fixture_mel(24), fixture_mel(24)[:, ::-1].copy()]))[:, None]
    with torch.no_grad():
        lat2 = vae.encode(mel2)[0]
        dec2 = vae.decode(lat2)
    enc_io = ({"mel": mel2.numpy()}, {"latent_mean": lat2.numpy()})
    dec_io = ({"latent_sample": lat2.numpy()}, {"mel": dec2.numpy()})
    notes.append("vae_encoder: " + check_with_onnxruntime(enc_path, *enc_io))
    notes.append("vae_decoder: " + check_with_onnxruntime(dec_path, *dec_io))
    if fixtures is not None:
        write_fixture(fixtures / "vae" / "encoder", enc_path, *enc_io, "vae_encoder of the bundle")
        write_fixture(fixtures / "vae" / "decoder", dec_path, *dec_io, "vae_decoder of the bundle")
    assert decoded.shape[-1] == mel.shape[-1] and latent.shape[2] == c.latent_freq
    return notes


def export_vocoder(model: NeuralVocoder, folder: Path, fixture_dir: Path | None, note: str) -> list[str]:
    model = model.eval()
    mel = torch.from_numpy(fixture_mel(20))[None]
    path = folder / "model.onnx"
    onnx_export(VocoderForExport(model), (mel,), path, ["mel"], ["real", "imag"],
                {"mel": {0: "batch", 2: "frames"}, "real": {0: "batch", 2: "frames"}, "imag": {0: "batch", 2: "frames"}})
    write_json(folder / "config.json", vocoder_config_json(model))
    mel2 = torch.from_numpy(np.stack([fixture_mel(12), fixture_mel(12) - 2.0]))
    with torch.no_grad():
        real, imag = model(mel2)
    io = ({"mel": mel2.numpy()}, {"real": real.numpy(), "imag": imag.numpy()})
    notes = ["vocoder: " + check_with_onnxruntime(path, *io)]
    if fixture_dir is not None:
        frames = mel2.shape[-1]
        wave = istft(real, imag, length=melspec.HOP * frames).numpy()  # hop * T samples, as the bundle contract says
        write_fixture(fixture_dir, path, *io, note, reference={"waveform": wave})
    return notes


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description="Export the VAE and the vocoder to ONNX with parity fixtures")
    p.add_argument("--bundle", type=Path, default=None, help="bundle folder (e.g. models/foley-small)")
    p.add_argument("--vae-ckpt", type=Path, default=None, help="vae.pt from train_vae (or its checkpoint.pt)")
    p.add_argument("--vocoder-ckpt", type=Path, default=None, help="vocoder.pt from train_vocoder")
    p.add_argument("--fixtures", type=Path, default=REPO_ROOT / "test" / "fixtures")
    p.add_argument("--no-fixtures", action="store_true")
    p.add_argument("--tiny-fixture", action="store_true",
                   help="write a small untrained vocoder bundle + parity data to <fixtures>/vocoder/tiny-bundle")
    args = p.parse_args(argv)
    torch.set_num_threads(2)
    fixtures = None if args.no_fixtures else args.fixtures
    notes: list[str] = []
    if args.tiny_fixture:
        torch.manual_seed(0)
        tiny = NeuralVocoder(VocoderConfig(dim=16, blocks=1, mag_dim=8, kernel=3, mag_kernel=3, expansion=2))
        # perturb the zero-initialised magnitude head so the parity covers that path too
        with torch.no_grad():
            tiny.mag_out.weight.normal_(0.0, 0.01)
        folder = args.fixtures / "vocoder" / "tiny-bundle"
        notes += export_vocoder(tiny, folder / "vocoder", folder / "parity",
                                "untrained tiny vocoder (export_components --tiny-fixture)")
    if args.vae_ckpt is not None or args.vocoder_ckpt is not None:
        if args.bundle is None:
            p.error("--bundle is required with --vae-ckpt / --vocoder-ckpt")
    if args.vae_ckpt is not None:
        notes += export_vae(load_vae(args.vae_ckpt), args.bundle, fixtures)
    if args.vocoder_ckpt is not None:
        model = load_vocoder(args.vocoder_ckpt)
        notes += export_vocoder(model, args.bundle / "vocoder",
                                None if fixtures is None else fixtures / "vocoder" / "bundle",
                                f"vocoder of {args.bundle}")
    if not notes:
        p.error("nothing to do: pass --vae-ckpt and/or --vocoder-ckpt with --bundle, or --tiny-fixture")
    for line in notes:
        print(line)


if __name__ == "__main__":
    main()
