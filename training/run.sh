#!/usr/bin/env bash
# One command for the training recipe:  training/run.sh STAGE [--smoke] [stage options]
#   stages: setup data vae vocoder latents scorer latent_classifier diffusion export sample eval all
#   (sample: the PyTorch reference sampler)
#   paths: data in $FOLEY_CACHE/data (default training/cache), checkpoints in $FOLEY_CACHE/checkpoints/<stage>,
#   the bundle in models/foley-small (smoke: everything under $FOLEY_CACHE/smoke/, bundle included)
#   --smoke  a tiny dataset and a few steps per stage (CI); outputs under training/cache/smoke/
# Every stage resumes: data skips sources already built, training stages resume from their checkpoints,
# eval trains the classifier only when it is missing (pass --force to retrain).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PYTHON:-/usr/bin/python3}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
export PYTHONPATH="$HERE${PYTHONPATH:+:$PYTHONPATH}"
STAGES="setup data vae vocoder latents scorer latent_classifier diffusion export sample eval"

usage() { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 1 ] || usage
stage=$1; shift
SMOKE=()
for arg in "$@"; do [ "$arg" = --smoke ] && SMOKE=(--smoke); done
CACHE=${FOLEY_CACHE:-$HERE/cache}
if [ ${#SMOKE[@]} -gt 0 ]; then
  ROOT=$CACHE/smoke; BUNDLE=${FOLEY_BUNDLE:-$ROOT/bundle}; LIMIT=(--limit 64); FIXTURES=$ROOT/fixtures
else ROOT=$CACHE; BUNDLE=${FOLEY_BUNDLE:-$HERE/../models/foley-small}; LIMIT=(); FIXTURES=$HERE/../test/fixtures; fi
DATA=$ROOT/data
CKPT=$ROOT/checkpoints

run_stage() {
  local s=$1; shift
  local start=$SECONDS
  echo "== stage $s $*" >&2
  case $s in
    setup) bash "$HERE/setup.sh" "$@" ;;
    data) "$PY" -m foley_train.data.build "$@" ;;
    vae) "$PY" -m foley_train.train_vae --data "$DATA" --out "$CKPT/vae" --resume "$@" ;;
    vocoder) "$PY" -m foley_train.train_vocoder --data "$DATA" --out "$CKPT/vocoder" --resume "$@" ;;
    latents) "$PY" -m foley_train.encode_latents --data "$DATA" --vae-ckpt "$CKPT/vae/vae.pt" --out "$CKPT/latents" \
      ${LIMIT[@]+"${LIMIT[@]}"} ;;
    scorer) "$PY" -m foley_train.train_scorer --data "$DATA" --latents "$CKPT/latents" --out "$CKPT/scorer" "$@" ;;
    # Two readers of the latents: the class loss's (latent_classifier) and the bundle's class_reader, trained on
    # PGD-perturbed latents (latent_classifier_adv), which ranks candidates by the class their prompt asks for.
    latent_classifier) if [ -f "$CKPT/latent_classifier/latent_classifier.pt" ]; then
        echo "latent_classifier: $CKPT/latent_classifier/latent_classifier.pt exists (delete it to retrain)" >&2
      else "$PY" -m foley_train.latent_classifier --data "$DATA" --latents "$CKPT/latents" --out "$CKPT/latent_classifier" "$@"; fi
      if [ -f "$CKPT/latent_classifier_adv/latent_classifier.pt" ]; then
        echo "latent_classifier: $CKPT/latent_classifier_adv/latent_classifier.pt exists (delete it to retrain)" >&2
      else "$PY" -m foley_train.latent_classifier --data "$DATA" --latents "$CKPT/latents" --out "$CKPT/latent_classifier_adv" \
        --seed 4323 --adversarial-eps 0.1 --adversarial-steps 3 --steps 2500 --minutes 60 "$@"; fi ;;
    # With the latent classifier present, the denoiser also learns to make its x̂0 sound like its prompt's class.
    diffusion) "$PY" -m foley_train.train_diffusion --data "$DATA" --latents "$CKPT/latents" --out "$CKPT/diffusion" \
      $([ -f "$CKPT/scorer/scorer.pt" ] && printf '%s' "--text-encoder $CKPT/scorer/scorer.pt") \
      $([ -f "$CKPT/latent_classifier/latent_classifier.pt" ] && printf '%s' "--class-loss-weight 1.0 --class-loss-classifier $CKPT/latent_classifier/latent_classifier.pt") \
      --resume "$@" ;;
    export) "$PY" -m foley_train.export_bundle --bundle "$BUNDLE" --diffusion-ckpt "$CKPT/diffusion/diffusion.pt" \
      --vae-ckpt "$CKPT/vae/vae.pt" --vocoder-ckpt "$CKPT/vocoder/vocoder.pt" --data "$DATA" \
      $([ -f "$CKPT/scorer/scorer.pt" ] && printf '%s' "--scorer-ckpt $CKPT/scorer/scorer.pt") \
      $([ -f "$CKPT/latent_classifier_adv/latent_classifier.pt" ] && printf '%s' "--class-reader-ckpt $CKPT/latent_classifier_adv/latent_classifier.pt") \
      --fixtures "$FIXTURES" --parity-fixture "$FIXTURES/bundle-parity/text_unet.json" \
      $(for a in "$@"; do [ "$a" = --smoke ] || printf '%s ' "$a"; done)
      "$PY" -m foley_train.model_card --bundle "$BUNDLE" --data "$DATA" --checkpoints "$CKPT" ;;
    sample) "$PY" -m foley_train.sample --checkpoints "$CKPT" --bundle "$BUNDLE" --prompt "a soft cello note, g2" \
      --seconds 2 --out "$ROOT/reference-sample.wav" ;;
    eval) run_eval "$@" ;;
    *) echo "run.sh: unknown stage '$s' (choose from: $STAGES all)" >&2; exit 2 ;;
  esac
  echo "== stage $s done in $((SECONDS - start)) s" >&2
}

fresher() {  # fresher OUT IN...: OUT exists and is newer than every IN
  local out=$1; shift
  [ -f "$out" ] || return 1
  for dep in "$@"; do [ "$out" -nt "$dep" ] || return 1; done
}

run_eval() {  # classifier (if missing), reconstruction metrics, then the held-out prompt set generated by the
  # TypeScript pipeline from the bundle and scored; the report goes into the bundle (eval/report.json)
  local force=0 smoke=() count=240 clips=60 best_of=4 reliability_count=480 reliability_seeds=4
  local args=("$@")
  for i in "${!args[@]}"; do
    case ${args[$i]} in
      --force) force=1 ;; --smoke) smoke=(--smoke); count=8; clips=6; reliability_count=8; reliability_seeds=1 ;;
      --best-of) best_of=${args[$((i + 1))]} ;;  # with a one-candidate default, also score best-of-K (0 or 1: skip)
      --reliability-seeds) reliability_seeds=${args[$((i + 1))]} ;;  # seeds per validation caption (0: skip)
    esac
  done
  local ckpt
  ckpt=$("$PY" -c "import sys; from foley_train.eval.classifier import classifier_path; print(classifier_path('--smoke' in sys.argv))" ${smoke[@]+"${smoke[@]}"})
  if [ $force = 1 ] || [ ! -f "$ckpt" ]; then
    "$PY" -m foley_train.eval.classifier ${smoke[@]+"${smoke[@]}"}
  else
    echo "eval: classifier exists at $ckpt (pass --force to retrain)" >&2
  fi
  [ -f "$BUNDLE/model_index.json" ] || { echo "eval: no bundle at $BUNDLE (run the export stage): classifier only" >&2; return 0; }
  [ -f "$HERE/../dist/src/pipeline/audio-diffusion-pipeline.js" ] || { echo "eval: build the TypeScript first (npm run build)" >&2; exit 2; }
  local work=$ROOT/eval/generated
  # The VAE and vocoder figures depend only on their checkpoints: kept while newer than both (--force redoes them).
  if [ $force = 1 ] || ! fresher "$ROOT/eval/reconstruction.json" "$CKPT/vae/vae.pt" "$CKPT/vocoder/vocoder.pt"; then
    "$PY" -m foley_train.eval_reconstruction --data "$DATA" --vae-ckpt "$CKPT/vae/vae.pt" \
      --vocoder-ckpt "$CKPT/vocoder/vocoder.pt" --clips $clips --refine 8 32 --out "$ROOT/eval/reconstruction.json"
  fi
  if [ $force = 1 ] || ! fresher "$ROOT/eval/ceiling.json" "$CKPT/vae/vae.pt" "$CKPT/vocoder/vocoder.pt" "$ckpt"; then
    "$PY" -m foley_train.eval.ceiling --data "$DATA" --vae-ckpt "$CKPT/vae/vae.pt" --vocoder-ckpt "$CKPT/vocoder/vocoder.pt" \
      --classifier "$ckpt" --clips $((clips * 5)) --out "$ROOT/eval/ceiling.json"
  fi
  # Generated clips belong to one bundle: start from an empty folder (generate_eval_set keeps existing files).
  rm -rf "$work/wavs"
  "$PY" -m foley_train.eval.prompt_set --data "$DATA" --count $count --out "$work/prompts.json"
  # The bundle's default candidates per clip (best-of-N; 1 when model_index.json sets none), recorded in the report.
  local default_k
  default_k=$("$PY" -c "import json, sys; print(json.load(open(sys.argv[1]))['defaults'].get('candidates', 1))" "$BUNDLE/model_index.json")
  node "$HERE/generate_eval_set.js" --bundle "$BUNDLE" --prompts "$work/prompts.json" --out "$work/wavs"
  mkdir -p "$BUNDLE/eval"
  "$PY" -m foley_train.eval.evaluate --wavs "$work/wavs" --prompts "$work/prompts.json" --data "$DATA" \
    --classifier "$ckpt" --recon "$ROOT/eval/reconstruction.json" --ceiling "$ROOT/eval/ceiling.json" \
    --best-of "$default_k" --out "$BUNDLE/eval/report.json"
  # The other figure: one candidate (the fastest setting) when the default is best-of-N, else best of --best-of K.
  local other_k=$best_of
  [ "$default_k" -gt 1 ] && other_k=1
  rm -f "$BUNDLE"/eval/report-best-of-*.json "$BUNDLE"/eval/report-candidates-*.json
  if [ "$other_k" -ge 1 ] && [ "$other_k" -ne "$default_k" ] && { [ "$other_k" -eq 1 ] || grep -q '"scorer"' "$BUNDLE/model_index.json"; }; then
    rm -rf "$work/wavs-other"
    node "$HERE/generate_eval_set.js" --bundle "$BUNDLE" --prompts "$work/prompts.json" --out "$work/wavs-other" \
      --candidates "$other_k"
    "$PY" -m foley_train.eval.evaluate --wavs "$work/wavs-other" --prompts "$work/prompts.json" --data "$DATA" \
      --classifier "$ckpt" --ceiling "$ROOT/eval/ceiling.json" --best-of "$other_k" \
      --out "$BUNDLE/eval/report-candidates-$other_k.json"
  fi
  # Per-class reliability: validation captions (never the test prompts above), several seeds each; written into the
  # bundle's vocabulary.json, so that a prompt naming a class the model rarely gets right is warned about.
  if [ "$reliability_seeds" -gt 0 ]; then
    local reports=() k
    for k in $(seq 0 $((reliability_seeds - 1))); do
      local dir=$work/reliability-$k
      rm -rf "$dir/wavs"
      "$PY" -m foley_train.eval.prompt_set --data "$DATA" --split validation --count $reliability_count --seed 21 \
        --seed-offset $((7919 * k)) --out "$dir/prompts.json"
      node "$HERE/generate_eval_set.js" --bundle "$BUNDLE" --prompts "$dir/prompts.json" --out "$dir/wavs"
      "$PY" -m foley_train.eval.evaluate --wavs "$dir/wavs" --prompts "$dir/prompts.json" --data "$DATA" \
        --classifier "$ckpt" --out "$dir/report.json"
      reports+=("$dir/report.json")
    done
    "$PY" -m foley_train.eval.class_reliability --bundle "$BUNDLE" --reports "${reports[@]}" \
      --source "$reliability_count validation captions (prompt_set --split validation --seed 21) x $reliability_seeds seeds (--seed-offset 7919 k), default generate settings, training/run.sh eval"
  fi
  "$PY" -m foley_train.model_card --bundle "$BUNDLE" --data "$DATA" --checkpoints "$CKPT"
}

if [ "$stage" = all ]; then
  for s in $STAGES; do run_stage "$s" "${SMOKE[@]}"; done
else
  run_stage "$stage" "$@"
fi
