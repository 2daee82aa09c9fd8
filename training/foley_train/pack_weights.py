"""One weights-only file with everything the recipe trained (VAE, vocoder, text encoder + UNet EMA), in float16
(the VAE in float32), committed as training/checkpoints/foley-small-weights.pt so a later run can resume without retraining:

    python3 -m foley_train.pack_weights --checkpoints training/cache/checkpoints --out training/checkpoints/foley-small-weights.pt
    python3 -m foley_train.pack_weights --unpack training/checkpoints/foley-small-weights.pt --checkpoints training/cache/checkpoints

Unpacking writes vae/vae.pt, vocoder/vocoder.pt, diffusion/diffusion.pt, scorer/scorer.pt and
latent_classifier/latent_classifier.pt (the class loss's reader), latent_classifier_adv/latent_classifier.pt (the bundle's
class_reader; float32), and the
VAE's and vocoder's summary.json where the pack holds them, for
`run.sh latents`, `export`, `sample`, and `train_diffusion --init` (which, with the scorer present, `run.sh diffusion`
runs on the scorer's frozen text tower), and the evaluator's classifier as ../eval/classifier.pt (float32, as trained):
a retrained classifier is a different judge (two runs of the same recipe put the decode-path ceiling at 0.663 and
0.747), so figures from different sessions are comparable only when they share this one.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from .eval.classifier import Bundle

PARTS = {"vae": "vae/vae.pt", "vocoder": "vocoder/vocoder.pt", "diffusion": "diffusion/diffusion.pt",
         "scorer": "scorer/scorer.pt", "latent_classifier": "latent_classifier/latent_classifier.pt",
         "class_reader": "latent_classifier_adv/latent_classifier.pt",
         "eval_classifier": "../eval/classifier.pt"}
OPTIONAL = {"scorer", "latent_classifier", "class_reader", "eval_classifier"}  # older packs lack them
# The stages' training summaries (steps, minutes, validation figures) ride along so the model card of a resumed
# recipe still reports them; packs before 2026-12-02 lack them.
SUMMARIES = {"vae": "vae/summary.json", "vocoder": "vocoder/summary.json"}
FULL_PRECISION = {"vae", "eval_classifier", "class_reader"}  # small, and their outputs must not move (the class
# reader is exported from the pack: its ONNX file and parity fixture must come out as shipped)


def convert(value, dtype):
    if isinstance(value, torch.Tensor) and value.is_floating_point():
        return value.to(dtype)
    if isinstance(value, dict):
        return {k: convert(v, dtype) for k, v in value.items()}
    return value


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoints", type=Path, required=True)
    p.add_argument("--out", type=Path)
    p.add_argument("--unpack", type=Path)
    args = p.parse_args(argv)
    if args.unpack:
        packed = torch.load(args.unpack, map_location="cpu")
        for name, rel in PARTS.items():
            if name not in packed and name in OPTIONAL:
                continue
            path = args.checkpoints / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if name == "eval_classifier":
                Bundle.from_checkpoint(convert(packed[name], torch.float32)).save(path)  # with its classifier.json
            else:
                torch.save(convert(packed[name], torch.float32), path)
            print(f"wrote {path.resolve()}")
        for name, summary in packed.get("summaries", {}).items():
            path = args.checkpoints / SUMMARIES[name]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(summary, indent=1) + "\n")
            print(f"wrote {path.resolve()}")
        return
    if args.out is None:
        p.error("give --out (pack) or --unpack FILE")
    # float16 halves the file; FULL_PRECISION parts stay float32.
    packed = {name: convert(torch.load(args.checkpoints / rel, map_location="cpu"),
                            torch.float32 if name in FULL_PRECISION else torch.float16)
              for name, rel in PARTS.items() if not (name in OPTIONAL and not (args.checkpoints / rel).exists())}
    summaries = {name: json.loads((args.checkpoints / rel).read_text())
                 for name, rel in SUMMARIES.items() if (args.checkpoints / rel).exists()}
    if summaries:
        packed["summaries"] = summaries
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(packed, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
