"""Assemble a foley model bundle (docs/bundle-format.md) from trained checkpoints.

Writes tokenizer, text_encoder, unet, scheduler and model_index.json from the diffusion checkpoint, calls
export_components for the VAE and the vocoder, writes parity fixtures (PyTorch outputs on fixed inputs) for
the TypeScript tests, and the model card from the evaluation report.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import torch

from .diffusion_model import TextEncoder, TextEncoderConfig, UNet1D, UNetConfig
from .export_components import fixture_is_current, sha256
from .tokenizer import WordTokenizer

AUDIO_CONFIG = {"sample_rate": 16000, "n_fft": 1024, "hop_length": 160, "win_length": 1024, "n_mels": 64,
                "f_min": 0, "f_max": 8000, "mel_scale": "slaney", "mel_norm": "slaney", "log_floor": 1e-5}
OPSET = 17
# Default guidance: scale 3 on the first half of the steps, unguided after. The interval was swept on 240 validation
# captions with run 6 (fine 0.487 against 0.433 for scale 3 on every step); the scale again on 480 with run 13, whose
# class loss moved its best scale from 5 to 3 (fine 0.631 at 5, 0.629 at 3, Frechet 547 -> 455; model card notes).
GUIDANCE_SCALE = 3.0
GUIDANCE_STOP = 0.5


def load_diffusion(path: Path):
    state = torch.load(path, map_location="cpu")
    text_config = TextEncoderConfig(**state["text_config"])
    unet_kwargs = {k: v for k, v in state["unet_config"].items() if k != "time_multiple"}
    unet_kwargs["channels"] = tuple(unet_kwargs["channels"])
    unet_config = UNetConfig(**unet_kwargs)
    text_encoder = TextEncoder(text_config)
    text_encoder.load_state_dict(state["text_encoder"])
    unet = UNet1D(unet_config)
    unet.load_state_dict(state["unet"])
    return state, text_encoder.eval(), unet.eval(), WordTokenizer.from_json(state["tokenizer"])


def write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def export_text_and_unet(state, text_encoder: TextEncoder, unet: UNet1D, bundle: Path) -> None:
    tc, uc = text_encoder.config, unet.config
    ids = torch.zeros(2, tc.max_length, dtype=torch.long)
    ids[:, :3] = torch.tensor([[2, 3, 4], [5, 6, 7]]).clamp(max=tc.vocab_size - 1)
    (bundle / "text_encoder").mkdir(parents=True, exist_ok=True)
    torch.onnx.export(text_encoder, (ids,), str(bundle / "text_encoder" / "model.onnx"), input_names=["input_ids"],
                      output_names=["text_embeds"], dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "text_embeds": {0: "batch"}},
                      opset_version=OPSET)
    write_json(bundle / "text_encoder" / "config.json", {"_class_name": "FoleyTextEncoder", "hidden_size": tc.hidden_size,
               "max_length": tc.max_length, "vocab_size": tc.vocab_size, "width": tc.width, "layers": tc.layers, "heads": tc.heads,
               "normalize_output": tc.normalize_output})
    sample = torch.randn(2, uc.in_channels, uc.freq_bins, 4 * uc.time_multiple)
    timestep = torch.tensor([999.0, 10.0])
    embeds = torch.randn(2, uc.cross_attention_dim)
    (bundle / "unet").mkdir(parents=True, exist_ok=True)
    torch.onnx.export(unet, (sample, timestep, embeds), str(bundle / "unet" / "model.onnx"),
                      input_names=["sample", "timestep", "encoder_hidden_states"], output_names=["out_sample"],
                      dynamic_axes={"sample": {0: "batch", 3: "frames"}, "timestep": {0: "batch"},
                                    "encoder_hidden_states": {0: "batch"}, "out_sample": {0: "batch", 3: "frames"}},
                      opset_version=OPSET)
    write_json(bundle / "unet" / "config.json", {"_class_name": "FoleyUNet1D", "in_channels": uc.in_channels,
               "freq_bins": uc.freq_bins, "cross_attention_dim": uc.cross_attention_dim, "time_multiple": uc.time_multiple,
               "prediction_type": state["scheduler_config"]["prediction_type"], "channels": list(uc.channels),
               "layers_per_block": uc.layers_per_block, "input_skip": uc.input_skip,
               "parameters": sum(p.numel() for p in unet.parameters())})


def write_parity_fixture(text_encoder: TextEncoder, unet: UNet1D, tokenizer: WordTokenizer, bundle: Path, out: Path) -> None:
    """Fixed inputs and PyTorch outputs: the TypeScript test runs the ONNX files on them (tolerance 1e-4)."""
    model_sha256 = sha256(bundle / "text_encoder" / "model.onnx", bundle / "unet" / "model.onnx")
    if fixture_is_current(out, model_sha256):
        return
    g = torch.Generator().manual_seed(7)
    prompts = ["a soft cello note, g2", "a tight snare drum hit", ""]
    ids = torch.tensor([tokenizer.encode(p) for p in prompts])
    uc = unet.config
    sample = torch.randn(2, uc.in_channels, uc.freq_bins, 2 * uc.time_multiple, generator=g)
    timestep = torch.tensor([900.0, 37.5])
    with torch.no_grad():
        embeds = text_encoder(ids)
        out_sample = unet(sample, timestep, embeds[:2])
    write_json(out, {"model_sha256": model_sha256, "prompts": prompts, "input_ids": ids.tolist(), "text_embeds": embeds.flatten().tolist(),
                     "text_embeds_dims": list(embeds.shape), "sample": sample.flatten().tolist(),
                     "sample_dims": list(sample.shape), "timestep": timestep.tolist(),
                     "out_sample": out_sample.flatten().tolist()})


class ScorerForExport(torch.nn.Module):
    """ONNX graph (`latent` [B, C, F, T'], `text_embeds` [B, D]) -> `score` [B]: the cosine similarity between the
    audio tower's embedding of UNet-scale latents (every frame counted) and the text encoder's prompt embedding."""

    def __init__(self, audio_tower: torch.nn.Module):
        super().__init__()
        self.audio = audio_tower

    def forward(self, latent: torch.Tensor, text_embeds: torch.Tensor) -> torch.Tensor:
        mask = torch.ones_like(latent[:, 0, 0, :])
        audio = torch.nn.functional.normalize(self.audio(latent, mask), dim=-1)
        text = torch.nn.functional.normalize(text_embeds, dim=-1)
        return (audio * text).sum(-1)


def export_scorer(scorer_ckpt: Path, text_encoder: TextEncoder, unet: UNet1D, tokenizer: WordTokenizer, bundle: Path,
                  fixture: Path | None) -> None:
    from .train_scorer import LatentAudioEncoder
    state = torch.load(scorer_ckpt, map_location="cpu")
    cfg = state["audio_config"]
    tower = LatentAudioEncoder(cfg["in_channels"], cfg["freq_bins"], cfg["width"], cfg["blocks"], cfg["out_dim"])
    tower.load_state_dict(state["audio_encoder"])
    graph = ScorerForExport(tower).eval()
    uc = unet.config
    latent = torch.randn(2, uc.in_channels, uc.freq_bins, 4 * uc.time_multiple, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        embeds = text_encoder(torch.tensor([tokenizer.encode("a soft cello note, g2"), tokenizer.encode("a tight snare drum hit")]))
        score = graph(latent, embeds)
    (bundle / "scorer").mkdir(parents=True, exist_ok=True)
    torch.onnx.export(graph, (latent, embeds), str(bundle / "scorer" / "model.onnx"), input_names=["latent", "text_embeds"],
                      output_names=["score"], dynamic_axes={"latent": {0: "batch", 3: "frames"}, "text_embeds": {0: "batch"},
                                                             "score": {0: "batch"}}, opset_version=OPSET)
    write_json(bundle / "scorer" / "config.json", {
        "_class_name": "FoleyLatentScorer", "in_channels": cfg["in_channels"], "freq_bins": cfg["freq_bins"],
        "hidden_size": cfg["out_dim"], "time_multiple": tower.time_multiple, "score": "cosine",
        "validation_class_accuracy": state.get("val_class_accuracy"), "train_steps": state.get("step"),
        "parameters": sum(p.numel() for p in tower.parameters())})
    if fixture is None:
        return
    model_sha256 = sha256(bundle / "scorer" / "model.onnx")
    if not fixture_is_current(fixture, model_sha256):
        write_json(fixture, {"model_sha256": model_sha256, "latent": latent.flatten().tolist(), "latent_dims": list(latent.shape),
                             "text_embeds": embeds.flatten().tolist(), "text_embeds_dims": list(embeds.shape),
                             "score": score.tolist()})


class ClassReaderForExport(torch.nn.Module):
    """latent [B, C, F, T'] -> log-probabilities [B, K] of the sound classes (log-softmax of the reader's logits)."""

    def __init__(self, reader: torch.nn.Module):
        super().__init__()
        self.reader = reader

    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        return torch.log_softmax(self.reader(latent), dim=-1)


def caption_word_counts(manifest: Path, classes: list[str]) -> dict[str, dict[str, int]]:
    """Per class, how often each word occurs in the captions of its train clips: the table of the multinomial naive
    Bayes text classifier (Manning, Raghavan & Schuetze 2008, ch. 13) with which the pipeline reads which class a
    prompt asks for. Note names are left out: every instrument has them all."""
    from .prompted_note import is_note_token
    from .tokenizer import is_word, split_words
    counts: dict[str, Counter] = {c: Counter() for c in classes}
    for line in manifest.read_text().splitlines():
        row = json.loads(line)
        if row["split"] != "train" or row["class"] not in counts:
            continue
        for caption in row["captions"]:
            counts[row["class"]].update(w for w in split_words(caption) if is_word(w) and not is_note_token(w))
    return {c: dict(sorted(counts[c].items())) for c in classes}


def export_class_reader(reader_ckpt: Path, unet: UNet1D, bundle: Path, fixture: Path | None, manifest: Path) -> None:
    """The latent classifier (foley_train.latent_classifier) as the bundle's class_reader: the pipeline reads each
    candidate's sound, re-encoded by the VAE, and keeps the one most likely to be the class its prompt names (read
    from the prompt by naive Bayes on the train captions' words, `caption_word_counts`)."""
    from .latent_classifier import load
    reader, classes = load(reader_ckpt)
    state = torch.load(reader_ckpt, map_location="cpu")
    graph = ClassReaderForExport(reader).eval()
    uc = unet.config
    latent = torch.randn(2, uc.in_channels, uc.freq_bins, 4 * uc.time_multiple, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        log_probs = graph(latent)
    folder = bundle / "class_reader"
    folder.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(graph, (latent,), str(folder / "model.onnx"), input_names=["latent"], output_names=["log_probs"],
                      dynamic_axes={"latent": {0: "batch", 3: "frames"}, "log_probs": {0: "batch"}}, opset_version=OPSET)
    write_json(folder / "config.json", {
        "_class_name": "FoleyClassReader", "in_channels": reader.config["in_channels"], "freq_bins": reader.config["freq_bins"],
        "time_multiple": reader.tower.time_multiple, "classes": classes,
        "caption_word_counts": caption_word_counts(manifest, classes), "min_prompt_posterior": 0.5,
        "validation_accuracy": state.get("validation_accuracy"), "adversarial_eps": state.get("adversarial_eps"),
        "train_steps": state.get("steps"), "seed": state.get("seed"),
        "parameters": sum(p.numel() for p in reader.parameters())})
    if fixture is None:
        return
    model_sha256 = sha256(folder / "model.onnx")
    if not fixture_is_current(fixture, model_sha256):
        write_json(fixture, {"model_sha256": model_sha256, "latent": latent.flatten().tolist(), "latent_dims": list(latent.shape),
                             "log_probs": log_probs.flatten().tolist(), "log_probs_dims": list(log_probs.shape)})


# Best of 4 by default when the bundle can rank by sound class: on 480 validation captions (prompt_set --split
# validation --seed 21) the TypeScript pipeline's class-guarded pitch guide with 1, 2 and 4 candidates gave fine
# accuracy 0.688 / 0.738 / 0.752, and on 480 others (--seed 22) 0.708 / 0.721 / 0.725 (README, "Best of N").
DEFAULT_CANDIDATES = 4


def default_candidates(args) -> int:
    if args.candidates is not None:
        if not 1 <= args.candidates <= 16 or (args.candidates > 1 and not args.scorer_ckpt):
            raise SystemExit(f"export_bundle: --candidates must be 1-16, and above 1 needs --scorer-ckpt; got {args.candidates}")
        return args.candidates
    return DEFAULT_CANDIDATES if args.scorer_ckpt and args.class_reader_ckpt else 1


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--bundle", type=Path, required=True)
    p.add_argument("--diffusion-ckpt", type=Path, required=True)
    p.add_argument("--vae-ckpt", type=Path, required=True)
    p.add_argument("--vocoder-ckpt", type=Path, required=True)
    p.add_argument("--data", type=Path, help="manifest.jsonl folder (sound classes for vocabulary.json)")
    p.add_argument("--name", default="foley-small")
    p.add_argument("--parity-fixture", type=Path, help="write text/unet parity fixture here")
    p.add_argument("--guidance", type=float, default=GUIDANCE_SCALE,
                   help="default guidance scale (swept on 240 validation captions with the interval, see GUIDANCE_SCALE)")
    p.add_argument("--guidance-stop", type=float, default=GUIDANCE_STOP,
                   help="default guidance interval end, a fraction of the steps (later steps run unguided; swept on "
                        "240 validation captions, see GUIDANCE_STOP)")
    p.add_argument("--steps", type=int, default=20, help="default number of inference steps")
    p.add_argument("--fixtures", type=Path, help="parity fixtures folder for the VAE and vocoder (default: test/fixtures)")
    p.add_argument("--scorer-ckpt", type=Path, help="scorer.pt from train_scorer: exported as the bundle's scorer")
    p.add_argument("--class-reader-ckpt", type=Path,
                   help="latent_classifier.pt: exported as the bundle's class_reader (ranks candidates by sound class)")
    p.add_argument("--candidates", type=int, default=None,
                   help="default candidates per waveform, best-of-N (default: 4 with a scorer and a class reader, chosen "
                        "on 960 validation captions, see DEFAULT_CANDIDATES; else 1)")
    args = p.parse_args()

    bundle = args.bundle
    bundle.mkdir(parents=True, exist_ok=True)
    state, text_encoder, unet, tokenizer = load_diffusion(args.diffusion_ckpt)
    export_text_and_unet(state, text_encoder, unet, bundle)
    (bundle / "tokenizer").mkdir(exist_ok=True)
    tokenizer.save(bundle / "tokenizer" / "tokenizer.json")
    classes: list[str] = []
    if args.data and (args.data / "manifest.jsonl").exists():
        seen = set()
        for line in (args.data / "manifest.jsonl").read_text().splitlines():
            row = json.loads(line)
            if row["split"] == "train" and row["class"] not in seen:
                seen.add(row["class"])
                classes.append(row["class"])
    words = sorted(w for w in tokenizer.vocab if not w.startswith("<"))
    write_json(bundle / "tokenizer" / "vocabulary.json", {"words": words, "classes": sorted(classes)})
    scheduler = dict(state["scheduler_config"])
    scheduler["_diffusers_version"] = "0.30.0"
    write_json(bundle / "scheduler" / "scheduler_config.json", scheduler)
    write_json(bundle / "model_index.json", {
        "_class_name": "AudioDiffusionPipeline", "_foley_version": "0.1.0", "name": args.name, "audio": AUDIO_CONFIG,
        "components": {k: k for k in ("tokenizer", "text_encoder", "unet", "vae_encoder", "vae_decoder", "vocoder", "scheduler")
                       + (("scorer",) if args.scorer_ckpt else ()) + (("class_reader",) if args.class_reader_ckpt else ())},
        "defaults": {"num_inference_steps": args.steps, "guidance_scale": args.guidance, "scheduler": "DPMSolverMultistepScheduler",
                     "duration_seconds": 2.0, "guidance_start": 0.0, "guidance_stop": args.guidance_stop,
                     "candidates": default_candidates(args)}})
    subprocess.run([sys.executable, "-m", "foley_train.export_components", "--bundle", str(bundle),
                    "--vae-ckpt", str(args.vae_ckpt), "--vocoder-ckpt", str(args.vocoder_ckpt)]
                   + (["--fixtures", str(args.fixtures)] if args.fixtures else []), check=True)
    if args.parity_fixture:
        write_parity_fixture(text_encoder, unet, tokenizer, bundle, args.parity_fixture)
    if args.scorer_ckpt:
        if not state.get("frozen_text_encoder"):
            raise SystemExit(f"--scorer-ckpt {args.scorer_ckpt}: the diffusion checkpoint's text encoder is not the scorer's "
                             "text tower (train_diffusion --text-encoder); its scores would mean nothing")
        export_scorer(args.scorer_ckpt, text_encoder, unet, tokenizer, bundle,
                      args.parity_fixture.parent / "scorer.json" if args.parity_fixture else None)
    if args.class_reader_ckpt:
        if not (args.data and (args.data / "manifest.jsonl").exists()):
            raise SystemExit("--class-reader-ckpt needs --data (the train captions tell which class a prompt asks for)")
        export_class_reader(args.class_reader_ckpt, unet, bundle,
                            args.parity_fixture.parent / "class_reader.json" if args.parity_fixture else None,
                            args.data / "manifest.jsonl")
    print(f"bundle written to {bundle}")


if __name__ == "__main__":
    main()
