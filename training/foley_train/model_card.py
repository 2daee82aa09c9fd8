"""Writes the bundle's model card (README.md) from what the recipe measured: the dataset summary, the training
summaries of the VAE, vocoder and diffusion model, the reconstruction metrics and the evaluation report.

    python3 -m foley_train.model_card --bundle models/foley-small --data training/cache/data \\
        --checkpoints training/cache/checkpoints [--hardware "2-core CPU"]

Every number in the card comes from those files; a missing file leaves its section saying so.
"""
from __future__ import annotations

import argparse
import json
import platform
from pathlib import Path

import torch

NOTES = Path(__file__).resolve().parents[1] / "model-card-notes.md"  # the run's own notes, kept with the recipe


def read_json(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.exists() else None


def fmt(value, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def millions(summary: dict | None, config: dict) -> str:
    """Parameter count in millions: from the training summary, else the exported component's config (a resumed
    recipe may lack the summary)."""
    params = (summary or {}).get("params") or config.get("parameters")
    return f"{params / 1e6:.2f} M" if params else "n/a"


def bundle_size_mb(bundle: Path) -> float:
    return sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file()) / 1e6


def data_section(summary: dict | None) -> list[str]:
    if summary is None:
        return ["The dataset summary (`summary.json`) was not found."]
    lines = [f"{summary['clips_default']:,} clips, {summary['hours_default']} hours, {summary['classes_default']} sound "
             f"classes in {summary['coarse_classes_default']} coarse groups, 16 kHz mono, rendered or unpacked from Debian "
             f"packages by `training/run.sh data` (licence tiers used: {', '.join(summary['tiers'])}; GPL-tier clips are "
             f"excluded). Splits: " + ", ".join(f"{k} {v:,}" for k, v in sorted(summary["splits_default"].items())) + ".",
             "", "| source | Debian package | licence | tier | clips (train) |", "|---|---|---|---|---|"]
    for row in summary["by_source"]:
        if row["tier"] not in summary["tiers"]:
            continue
        lines.append(f"| {row['source']} | {row['package']} | {row['licence']} | {row['tier']} | "
                     f"{row['total']:,} ({row.get('train', 0):,}) |")
    return lines


def guidance_interval(defaults: dict) -> str:
    """" on steps 0–50 %" when the bundle sets a guidance interval, else ""."""
    start, stop = defaults.get("guidance_start", 0.0), defaults.get("guidance_stop", 1.0)
    if start == 0.0 and stop == 1.0:
        return ""
    return f" on {start * 100:g}–{stop * 100:g} % of the steps (the others unguided)"


KIND_NOTES = {"instrument notes": "General MIDI programs, its sound-effect programs included",
              "chords": "chords and arpeggios", "drum hits": "kits and one-shots", "sound effects": "game and desktop effects"}
MIN_GROUP = 5  # smaller groups are pooled: one or two prompts say nothing about a group


def breakdown_tables(report: dict) -> list[str]:
    """Accuracy by kind of sound and by coarse group, so a reader sees which prompts the model honours."""
    kinds, groups = report.get("by_kind") or {}, report.get("by_coarse_class") or {}
    if not kinds:
        return []

    def pitch(row: dict) -> str:
        return f"{fmt(row['pitch'])} ({row['n_pitched']})" if row["n_pitched"] else "—"

    out = ["By kind of sound (the same prompts; pitch over the kind's pitched prompts, their number in brackets):", "",
           "| kind | prompts | fine | coarse | pitch ±50 c |", "|---|---|---|---|---|"]
    out += [f"| {name} ({KIND_NOTES.get(name, '')}) | {row['n']} | {fmt(row['fine'])} | {fmt(row['coarse'])} | "
            f"{pitch(row)} |" for name, row in kinds.items()]
    big = {name: row for name, row in groups.items() if row["n"] >= MIN_GROUP}
    small = [row for name, row in groups.items() if row["n"] < MIN_GROUP]
    out += ["", f"By coarse group, best first (groups with at least {MIN_GROUP} prompts; one prompt moves a group's "
            f"figure by 1/n):", "", "| group | prompts | fine | coarse | pitch ±50 c |", "|---|---|---|---|---|"]
    for name, row in sorted(big.items(), key=lambda item: (-(item[1]["fine"] or 0), item[0])):
        out.append(f"| {name} | {row['n']} | {fmt(row['fine'])} | {fmt(row['coarse'])} | {pitch(row)} |")
    if small:
        n = sum(r["n"] for r in small)
        pooled = lambda field: sum((r[field] or 0) * r["n"] for r in small) / n  # noqa: E731
        out.append(f"| {len(small)} smaller groups, pooled | {n} | {fmt(pooled('fine'))} | {fmt(pooled('coarse'))} | |")
    return out + [""]


WEAK_MIN_CLIPS, WEAK_MAX_SHARE = 4, 0.5  # src/pipeline/class-reliability.ts WEAK_CLASS_DEFAULTS


def reliability_section(vocab: dict) -> list[str]:
    """The classes the model rarely renders right (vocabulary.json's class_accuracy, from training/run.sh eval)."""
    table = vocab.get("class_accuracy")
    if not table:
        return []
    clips = sum(row["clips"] for row in table.values())
    right = sum(row["right"] for row in table.values())
    weak = sorted(((name, row) for name, row in table.items()
                   if row["clips"] >= WEAK_MIN_CLIPS and row["right"] / row["clips"] < WEAK_MAX_SHARE),
                  key=lambda kv: (kv[1]["right"] / kv[1]["clips"], kv[0]))
    out = ["## Classes it rarely gets right", "",
           f"Measured per class on {clips} generated validation clips ({vocab.get('class_accuracy_source', '')}): "
           f"{right} ({right / clips:.1%}) were heard as the class they were asked for. {len(weak)} of the "
           f"{len(table)} measured classes were right in under {WEAK_MAX_SHARE:.0%} of at least {WEAK_MIN_CLIPS} clips; "
           "a prompt naming one of them gets a `weak-class` warning (CLI: on stderr; library: "
           "`GenerationResult.weakClasses`). `foley models foley-small --vocabulary` shows every class's figure.", "",
           "| class | right / clips | most often heard as |", "|---|---|---|"]
    out += [f"| {name} | {row['right']}/{row['clips']} | {row['heard_as'] or '—'} |" for name, row in weak]
    return out + [""]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bundle", type=Path, required=True)
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--checkpoints", type=Path, required=True)
    p.add_argument("--hardware", default="2 vCPU (x86-64), 24 GiB, no GPU")
    args = p.parse_args()
    bundle, ckpt = args.bundle, args.checkpoints
    index = read_json(bundle / "model_index.json") or {}
    vocab = read_json(bundle / "tokenizer" / "vocabulary.json") or {"words": [], "classes": []}
    unet_cfg = read_json(bundle / "unet" / "config.json") or {}
    vae_cfg = read_json(bundle / "vae_decoder" / "config.json") or {}
    vocoder_cfg = read_json(bundle / "vocoder" / "config.json") or {}
    text_cfg = read_json(bundle / "text_encoder" / "config.json") or {}
    vae = read_json(ckpt / "vae" / "summary.json")
    vocoder = read_json(ckpt / "vocoder" / "summary.json")
    diffusion = None
    if (ckpt / "diffusion" / "diffusion.pt").exists():
        state = torch.load(ckpt / "diffusion" / "diffusion.pt", map_location="cpu")
        diffusion = {k: state.get(k) for k in ("step", "train_seconds", "parameters", "device", "initialised_from_step",
                                                "frozen_text_encoder", "trainable_parameters", "unet_config", "class_loss_weight")}
    scorer_cfg = read_json(bundle / "scorer" / "config.json")
    reader_cfg = read_json(bundle / "class_reader" / "config.json")
    report = read_json(bundle / "eval" / "report.json")
    recon = (report or {}).get("reconstruction") or {}
    defaults = index.get("defaults", {})

    out = [f"# {index.get('name', bundle.name)}: foley's default text-to-sound model", "",
           "A small latent diffusion model for short sounds: General MIDI instrument notes and chords (with pitch, "
           "dynamics and articulation), drum hits and game/desktop sound effects. Trained from scratch by foley's recipe "
           "(`training/run.sh all`) on audio from Debian packages only; no pretrained weights.", "",
           "## Components", "",
           "| component | what | size |", "|---|---|---|",
           f"| tokenizer | word-level, {len(vocab['words'])} known words | — |",
           f"| text_encoder | {text_cfg.get('layers')}-layer transformer (width {text_cfg.get('width')}) over word ids, "
           "mean-pooled, " + ("the scorer's text tower, frozen while the UNet trained" if (diffusion or {}).get("frozen_text_encoder")
                              else "trained jointly with the UNet") + " | |",
           f"| unet | 1-D UNet over the latent (channels {unet_cfg.get('channels')}, FiLM time + text conditioning"
           f"{', per-element input skip' if unet_cfg.get('input_skip') else ''}), "
           f"{unet_cfg.get('prediction_type')} | {millions(None, unet_cfg)} parameters |",
           f"| vae_encoder / vae_decoder | log-mel [1, 64, T] ⇄ latent [{vae_cfg.get('latent_channels')}, 16, T/4], "
           f"scaling factor {fmt(vae_cfg.get('scaling_factor'), 4)} | {millions(vae, vae_cfg)} |",
           f"| vocoder | FreeV-style: pseudo-inverse mel magnitude refined + learned phase → STFT, iSTFT in TypeScript "
           f"| {millions(vocoder, vocoder_cfg)} |"]
    if scorer_cfg:
        out.append(f"| scorer | contrastive text–audio model (CLAP-style) on UNet-scale latents: cosine of its audio "
                   f"tower and the text encoder; ranks candidates | {millions(None, scorer_cfg)} (audio tower) |")
    if reader_cfg:
        out.append(f"| class_reader | {len(reader_cfg.get('classes', []))}-class classifier of UNet-scale latents, trained on "
                   f"PGD-perturbed real train latents (radius {reader_cfg.get('adversarial_eps')}; validation accuracy "
                   f"{fmt(reader_cfg.get('validation_accuracy'))}), and a naive Bayes table of the train captions' words; "
                   f"best-of-N keeps the candidate most likely to be the class the prompt asks for | {millions(None, reader_cfg)} |")
    out += ["",
           f"Defaults (`model_index.json`): {defaults.get('scheduler')}, {defaults.get('num_inference_steps')} steps, "
           f"guidance {defaults.get('guidance_scale')}{guidance_interval(defaults)}, {defaults.get('duration_seconds')} s; "
           + (f"best of {defaults['candidates']} candidates (`candidates`); " if defaults.get("candidates", 1) > 1 else "")
           + "the pipeline's pitch guide (with the class guard, when the bundle has a class reader) and pitch-aware "
           "ranking are on (README). Bundle size: "
           f"{bundle_size_mb(bundle):.1f} MB.", "",
           "## Training data", ""] + data_section(read_json(args.data / "summary.json")) + [
           "", "Captions are built from the labels (instrument or category, note name with octave such as `c#4`, dynamics, "
           "articulation, kit), four per clip; the model was trained on them with 10 % of captions dropped for "
           "classifier-free guidance.", "",
           "## Training", "",
           f"Hardware: {args.hardware}; Debian python3-torch {torch.__version__}; {platform.python_version()}.", "",
           "| stage | steps | time | result |", "|---|---|---|---|"]
    if vae:
        out.append(f"| VAE | {vae['step']} | {fmt(vae.get('minutes'), 1)} min | validation log-mel L1 {fmt(vae.get('val_l1'))} |")
    if vocoder:
        before = vocoder.get("initialised_from_step") or 0
        steps = f"{before:,} + {vocoder['step']:,}" if before else f"{vocoder['step']:,}"
        out.append(f"| vocoder | {steps} | {fmt(vocoder.get('minutes'), 1)} min{' (last run)' if before else ''} | validation "
                   + ", ".join(f"{k} {fmt(v)}" for k, v in vocoder.items() if k.startswith("val") and isinstance(v, float)) + " |")
    if (ckpt / "scorer" / "scorer.pt").exists():
        trained = torch.load(ckpt / "scorer" / "scorer.pt", map_location="cpu")
        out.append(f"| scorer (text + audio towers) | {trained.get('step')} | {fmt((trained.get('train_seconds') or 0) / 60, 1)} min "
                   f"| validation audio → caption retrieval picks the right class {fmt(trained.get('val_class_accuracy'))} |")
    if diffusion:
        before = diffusion.get("initialised_from_step") or 0
        steps = f"{before:,} + {diffusion['step']:,}" if before else f"{diffusion['step']:,}"
        what = "UNet on the frozen scorer text tower" if diffusion.get("frozen_text_encoder") else "text encoder + UNet"
        out.append(f"| {what} | {steps} | {fmt((diffusion['train_seconds'] or 0) / 60, 1)} min (last run) "
                   f"| {fmt((diffusion['parameters'] or 0) / 1e6, 2)} M parameters, v-prediction, min-SNR(+1) weighting"
                   + (", per-element input skip" if (diffusion.get("unet_config") or {}).get("input_skip") else "")
                   + (f", class loss {diffusion['class_loss_weight']:g} (latent classifier on x̂0)" if diffusion.get("class_loss_weight") else "")
                   + " |")
    out += ["", "## Measured quality", ""]
    if report:
        pa, pi, fd = report["prompt_accuracy"], report["pitch_accuracy"], report["frechet"]
        out += [f"Held-out prompt set: {report['generated_clips']} captions of real test-split clips (never trained on), "
                "generated by the TypeScript pipeline at the bundle defaults, scored by an independent classifier "
                "trained only on real training clips (`training/run.sh eval`).", "",
                "| metric | generated | real test clips (ceiling) | goal |", "|---|---|---|---|",
                f"| prompt accuracy, fine class | {fmt(pa['fine'])} | {fmt(pa['real_test_fine'])} | ≥ 0.90 |",
                f"| prompt accuracy, coarse class | {fmt(pa['coarse'])} | {fmt(pa['real_test_coarse'])} | |"]
        resyn = pa.get("resynthesized_real_test")
        if resyn:
            out.append(f"| decode-path ceiling: real test clips through VAE + vocoder (n = {resyn['clips']}), the most a "
                       f"perfect denoiser could score | — | fine {fmt(resyn['fine'])}, coarse {fmt(resyn['coarse'])} | |")
            labels = {"vae_only": "the same clips through the VAE alone (decoded log-mel, no vocoder)",
                      "vocoder_only": "the same clips through the vocoder alone (real log-mel, no VAE)"}
            for key, stage in (resyn.get("stages") or {}).items():
                out.append(f"| {labels.get(key, key)} | — | fine {fmt(stage['fine'])}, coarse "
                           f"{fmt(stage['coarse'])} | |")
            if resyn.get("pitch_n_reliable"):
                voc = (resyn.get("stages") or {}).get("vocoder_only") or {}
                out.append(f"| decode-path pitch ceiling: the pitched clips among them (measurable classes, n = "
                           f"{resyn['pitch_n_reliable']}), pitch within ±50 cents | — | {fmt(resyn['pitch_accuracy_reliable'])} "
                           f"through VAE + vocoder, {fmt(voc.get('pitch_accuracy_reliable'))} through the vocoder alone, "
                           f"{fmt(resyn.get('real_pitch_accuracy_reliable'))} as recorded | |")
        named, only = pi.get("named_note"), pi.get("register_only")
        if named is not None and only is not None:
            out += [
                f"| pitch within ±50 cents of the note the prompt names (\"c4\", \"middle c\"; measurable classes, n = "
                f"{named['n_reliable']}) | {fmt(named['accuracy_reliable'])} | | ≥ 0.90 |",
                f"| the same, every prompt that names a note (n = {named['n']}) | {fmt(named['accuracy'])} | | |",
                f"| prompts that give only a register (\"a low bass note\", n = {only['n']}): f0 at the clip's note / in "
                f"the register | {fmt(only['accuracy'])} / {fmt(only['register_accuracy'])} | | |"]
        out += [
                f"| pitch within ±50 cents of the clip's note (measurable classes, n = {pi['n_reliable']}) | {fmt(pi['accuracy_reliable'])} | "
                f"{fmt(pi['real_test_reliable'])} | |",
                f"| pitch within ±50 cents (all pitched prompts, n = {pi['n_pitched']}) | {fmt(pi['accuracy'])} | "
                f"{fmt(pi['real_test'])} | |",
                f"| pitch class (octave-free) | {fmt(pi['pitch_class_accuracy'])} | | |",
                f"| Fréchet distance to real test clips (same-size floor) | {fmt(fd['generated_vs_real_test'], 1)} | "
                f"{fmt(fd['real_vs_real_floor_same_n'], 1)} (ratio {fmt(fd['ratio_to_floor_same_n'], 2)}) | ≤ 2× floor |", ""]
        out += breakdown_tables(report)
        k_default = report.get("candidates_per_clip", 1)
        if k_default > 1:
            out += [f"At the defaults each clip is the best of {k_default} candidates (noise streams): every candidate is "
                    "decoded, vocoded and, for a prompt that names one note, pitch-guided (the guide undone where the class "
                    "reader hears another class in the guided sound); candidates in tune with the note come first, then "
                    f"{'the class reader keeps the one most likely to be the class the prompt asks for, then ' if reader_cfg else ''}"
                    "the scorer's favourite.", ""]
        for extra in sorted((bundle / "eval").glob("report-candidates-*.json")):
            other = read_json(extra)
            k = other.get("candidates_per_clip")
            opa, opi, ofd = other["prompt_accuracy"], other["pitch_accuracy"], other["frechet"]
            what = (f"One candidate per clip (`candidates: 1`, `--candidates 1`, the fastest setting" if k == 1 else
                    f"Best of {k} (`candidates: {k}`, `--candidates {k}`, ranked as above")
            out += [f"{what}; same prompts and seeds, `eval/{extra.name}`): prompt accuracy fine "
                    f"{fmt(opa['fine'])}, coarse {fmt(opa['coarse'])}; pitch within ±50 cents {fmt(opi['accuracy_reliable'])} "
                    f"(measurable) / {fmt(opi['accuracy'])} (all); Fréchet {fmt(ofd['generated_vs_real_test'], 1)}.", ""]
    else:
        out += ["The evaluation report (`eval/report.json`) has not been produced yet: run `training/run.sh eval`.", ""]
    if recon:
        out += ["Reconstruction on held-out test clips (`python3 -m foley_train.eval_reconstruction`):", "",
                "| path | mel-L1 | mel-L1 active bins | MR-STFT |", "|---|---|---|---|"]
        if "vae" in recon:
            out.append(f"| VAE (encode → decode) | {fmt(recon['vae'].get('mel_l1'))} | {fmt(recon['vae'].get('mel_l1_active'))} | — |")
        for name, row in (recon.get("vocoder") or {}).get("methods", {}).items():
            out.append(f"| vocoder: {name} | {fmt(row.get('mel_l1'))} | {fmt(row.get('mel_l1_active'))} | {fmt(row.get('mrstft'))} |")
        out.append("")
    out += ["## Known vocabulary", "",
            f"{len(vocab['classes'])} sound classes: " + ", ".join(vocab["classes"]) + ".", "",
            f"`foley models foley-small --vocabulary` lists the {len(vocab['words'])} words. Words outside it are "
            "reported on stderr and ignored by the model.", "",
            ] + reliability_section(vocab) + [
            "## Limits", "",
            "- Short sounds (the training clips are ≤ 4 s); longer requests have the exact length (the UNet is "
            "convolutional in time), but the sound comes in the first seconds and decays.",
            "- No speech, singing, music phrases longer than an arpeggio, or real-world field recordings beyond the "
            "game/desktop effects listed above: the model has never heard them.",
            "- 16 kHz audio (nothing above 8 kHz).",
            "- The captions follow one template family: prompts phrased like them (instrument, note, dynamics, "
            "articulation) work best.", "",
            ] + ([NOTES.read_text().rstrip(), ""] if NOTES.exists() else []) + [
            "## Licence", "",
            "The weights are trained on MIT, CC0, public-domain and CC-BY / CC-BY-SA clips (table above). foley ships them "
            "under CC-BY-SA-4.0 out of caution for the share-alike sources, with attribution to the Debian packages "
            "and upstream authors listed above."]
    (bundle / "README.md").write_text("\n".join(out) + "\n")
    print(f"wrote {bundle / 'README.md'}")


if __name__ == "__main__":
    main()
