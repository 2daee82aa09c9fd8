"""Train the neural vocoder (vocoder.py) on waveform crops; the input log-mel is computed from each crop.

    python3 -m foley_train.train_vocoder --data training/cache/data --out training/checkpoints/vocoder --steps 20000

`--data` is the data stage's folder or a pack (pack.py). Writes `checkpoint.pt` (weights, optimizer, step; every
`--ckpt-every` steps and at the end; `--resume` continues), `log.jsonl`, and at the end `vocoder.pt` (weights
only) and `summary.json`. `--init WEIGHTS` starts from a weights-only file (a committed checkpoint) with a fresh
optimizer. Held-out evaluation: mel-L1 and multi-resolution STFT distance of the resynthesised validation crops.
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch

from . import melspec
from .datasets import WaveClips, read_manifest
from .train_vae import (JsonLog, add_run_arguments, autocast, learning_rate, load_checkpoint, pick_device,
                        save_checkpoint, schedule_step)
from .vae import count_parameters, load_vae, torch_load
from .vocoder import (SMOKE_CONFIG, NeuralVocoder, VocoderConfig, VocoderLossWeights, config_dict, istft,
                      mrstft_distance, save_weights, vae_round_trip, vocoder_loss)


@torch.no_grad()
def evaluate(model: NeuralVocoder, crops: torch.Tensor, batch: int = 16, vae=None) -> dict:
    """Held-out mel-L1 and MR-STFT distance of the network's resynthesis of `crops` [N, samples]; with `vae`, also
    of its resynthesis from the VAE's reconstruction of their log-mel (keys ending `_vae`)."""
    model.eval()
    scores: dict[str, list[torch.Tensor]] = {}
    for i in range(0, crops.shape[0], batch):
        wav = crops[i:i + batch]
        log_mel = melspec.log_mel(wav)
        heard_by = {"": log_mel}
        if vae is not None:
            heard_by["_vae"] = vae_round_trip(vae, log_mel)
        for suffix, heard in heard_by.items():
            real, imag = model(heard)
            wav_hat = istft(real, imag, length=wav.shape[-1])
            scores.setdefault("val_mel_l1" + suffix, []).append((melspec.log_mel(wav_hat) - log_mel).abs().flatten(1).mean(1))
            scores.setdefault("val_mrstft" + suffix, []).append(mrstft_distance(wav_hat, wav))
    model.train()
    return {key: torch.cat(values).mean().item() for key, values in scores.items()}


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description="Train the neural vocoder")
    add_run_arguments(p, steps=20000, batch=16, lr=5e-4)
    p.add_argument("--crop-seconds", type=float, default=0.5, help="training crop (APNet: 0.5 s at 16 kHz)")
    p.add_argument("--dim", type=int, default=None, help=f"phase trunk width (default {VocoderConfig.dim})")
    p.add_argument("--blocks", type=int, default=None, help=f"phase trunk blocks (default {VocoderConfig.blocks})")
    p.add_argument("--mag-dim", type=int, default=None, help=f"magnitude block width (default {VocoderConfig.mag_dim})")
    p.add_argument("--init", type=str, default=None, help="start from these weights (weights-only .pt)")
    p.add_argument("--init-steps", type=int, default=None,
                   help="steps behind --init when its file does not record them (weights saved before 2026-12-02)")
    p.add_argument("--vae-ckpt", type=str, default=None,
                   help="let the network hear this VAE's reconstruction of the log-mel (what the pipeline feeds it) "
                        "on a share of the batches, still held to the real audio")
    p.add_argument("--vae-share", type=float, default=0.5, help="share of batches heard through --vae-ckpt")
    p.add_argument("--val-crops", type=int, default=64)
    p.add_argument("--train-clips", type=int, default=None, help="at most this many train clips (full cache only)")
    p.add_argument("--low-pitch-share", type=float, default=0.0,
                   help="share of crops drawn from notes below --low-pitch-midi (low notes lose their pitch through a "
                        "64-band mel; the decode-path pitch ceiling in foley_train.eval.ceiling measures it)")
    p.add_argument("--low-pitch-midi", type=int, default=55, help="MIDI note below which a note counts as low")
    for name, default in vars(VocoderLossWeights()).items():
        p.add_argument("--w-" + name.replace("_", "-"), dest="w_" + name, type=float, default=default,
                       help=f"loss weight / option {name} (default {default})")
    args = p.parse_args(argv)
    if args.smoke:
        args.steps = min(args.steps, 4)
        args.batch_size, args.crop_seconds, args.val_crops, args.warmup = 2, 0.2, 2, 0
        args.eval_every = args.ckpt_every = args.log_every = 2

    device = pick_device(args.device)
    torch.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    log = JsonLog(args.out / "log.jsonl")
    samples = int(round(args.crop_seconds * melspec.SAMPLE_RATE / melspec.HOP)) * melspec.HOP

    cfg_kwargs = dict(SMOKE_CONFIG) if args.smoke else {}
    for key in ("dim", "blocks", "mag_dim"):
        if getattr(args, key) is not None:
            cfg_kwargs[key] = getattr(args, key)
    ckpt_path = args.out / "checkpoint.pt"
    resume_state = torch_load(ckpt_path) if args.resume and ckpt_path.exists() else None
    init_state = torch_load(args.init) if args.init and not resume_state else None
    if resume_state:
        config = VocoderConfig(**resume_state["config"])
    elif init_state:
        config = VocoderConfig(**init_state["config"])
    else:
        config = VocoderConfig(**cfg_kwargs)
    model = NeuralVocoder(config).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.8, 0.99), weight_decay=1e-2)
    step = 0
    # Steps behind the starting weights, so the summary reports the total of a fine-tune.
    init_step = (resume_state or {}).get("init_step") or 0
    if init_state:
        init_step = init_state.get("trained_steps") or args.init_steps or 0
    checkpoint_extra = {"kind": "foley-vocoder", "init_step": init_step}
    if resume_state:
        step = load_checkpoint(ckpt_path, model, optimizer, device)["step"]
        print(f"resumed from {ckpt_path} at step {step}")
    elif init_state:
        model.load_state_dict(init_state["state_dict"])
        print(f"initialised from {args.init}")
    weights = VocoderLossWeights(**{name: getattr(args, "w_" + name) for name in vars(VocoderLossWeights())})

    vae = load_vae(args.vae_ckpt).to(device).eval() if args.vae_ckpt else None
    train = WaveClips.load(args.data, "train", limit=args.train_clips)
    val = WaveClips.load(args.data, "validation")
    low = np.zeros(0, dtype=np.int64)
    if args.low_pitch_share > 0:
        manifest = read_manifest(args.data)
        low = np.array([k for k, clip_id in enumerate(train.ids) if (manifest.get(clip_id) or {}).get("pitch") is not None
                        and manifest[clip_id]["pitch"] < args.low_pitch_midi], dtype=np.int64)
        if len(low) == 0:
            raise SystemExit(f"--low-pitch-share: no train clip has a pitch below MIDI {args.low_pitch_midi} (is {args.data} a pack without a manifest?)")
    val_order = np.random.default_rng(99).permutation(len(val))[:args.val_crops]
    val_crops = torch.from_numpy(WaveClips([val.waves[k] for k in val_order], [val.ids[k] for k in val_order])
                                 .fixed_crops(samples)).to(device)
    log.write({"event": "start", "params": count_parameters(model), "config": config_dict(config),
               "device": str(device), "train_clips": len(train), "val_crops": int(val_crops.shape[0]),
               "crop_samples": samples, "step": step, "steps": args.steps, "batch_size": args.batch_size,
               "weights": vars(weights), "vae": args.vae_ckpt, "vae_share": args.vae_share if vae else 0.0,
               "low_pitch_share": args.low_pitch_share, "low_pitch_midi": args.low_pitch_midi, "low_pitch_clips": int(len(low)),
               "torch": torch.__version__})

    rng = np.random.default_rng(args.seed + step)
    started = time.time()
    model.train()
    last_saved = step
    while step < args.steps:
        lr = learning_rate(schedule_step(step, args, started), args.steps, args.lr, args.warmup)
        for group in optimizer.param_groups:
            group["lr"] = lr
        wav = torch.from_numpy(train.crop_batch(rng, args.batch_size, samples, favour=low, favour_share=args.low_pitch_share)).to(device)
        through_vae = vae is not None and rng.random() < args.vae_share
        with autocast(device, args.amp):
            loss, parts = vocoder_loss(model, wav, weights, hear=(lambda mel: vae_round_trip(vae, mel)) if through_vae else None)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0).item()
        optimizer.step()
        step += 1
        if step % args.log_every == 0 or step == 1:
            log.write({"step": step, "lr": lr, **parts, "grad_norm": grad_norm, "sec": round(time.time() - started, 1)})
        out_of_time = args.minutes > 0 and time.time() - started > args.minutes * 60
        if step % args.eval_every == 0 or step == args.steps or out_of_time:
            log.write({"step": step, **evaluate(model, val_crops, vae=vae)})
        if step % args.ckpt_every == 0 or step == args.steps or out_of_time:
            save_checkpoint(ckpt_path, model, optimizer, step, config_dict(config), checkpoint_extra)
            last_saved = step
        if out_of_time:
            log.write({"event": "time limit", "step": step})
            break
    if last_saved != step:
        save_checkpoint(ckpt_path, model, optimizer, step, config_dict(config), checkpoint_extra)
    model.eval()
    save_weights(args.out / "vocoder.pt", model.cpu(), trained_steps=init_step + step)
    metrics = evaluate(model.to(device), val_crops, vae=vae)
    summary = {"step": step, "initialised_from_step": init_step, **metrics, "params": count_parameters(model),
               "minutes": round((time.time() - started) / 60, 2), "config": config_dict(config)}
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    log.write({"event": "done", **summary})


if __name__ == "__main__":
    main()
