#!/usr/bin/env bash
# One command for the training recipe:  training/run.sh STAGE [--smoke] [stage options]
#   stages: setup data vae vocoder latents diffusion export eval all
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
STAGES="setup data vae vocoder latents diffusion export eval"

usage() { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 1 ] || usage
stage=$1; shift
SMOKE=()
for arg in "$@"; do [ "$arg" = --smoke ] && SMOKE=(--smoke); done
CACHE=${FOLEY_CACHE:-$HERE/cache}
if [ ${#SMOKE[@]} -gt 0 ]; then ROOT=$CACHE/smoke; BUNDLE=${FOLEY_BUNDLE:-$ROOT/bundle}; LIMIT=(--limit 64)
else ROOT=$CACHE; BUNDLE=${FOLEY_BUNDLE:-$HERE/../models/foley-small}; LIMIT=(); fi
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
    diffusion) "$PY" -m foley_train.train_diffusion --data "$DATA" --latents "$CKPT/latents" --out "$CKPT/diffusion" \
      --resume "$@" ;;
    export) "$PY" -m foley_train.export_bundle --bundle "$BUNDLE" --diffusion-ckpt "$CKPT/diffusion/diffusion.pt" \
      --vae-ckpt "$CKPT/vae/vae.pt" --vocoder-ckpt "$CKPT/vocoder/vocoder.pt" --data "$DATA" ;;
    eval) run_eval "$@" ;;
    *) echo "run.sh: unknown stage '$s' (choose from: $STAGES all)" >&2; exit 2 ;;
  esac
  echo "== stage $s done in $((SECONDS - start)) s" >&2
}

run_eval() {  # train the evaluation classifier if missing; evaluate generated clips when --wavs is given
  local force=0 smoke=() eval_args=()
  for arg in "$@"; do
    case $arg in --force) force=1 ;; --smoke) smoke=(--smoke); eval_args+=("$arg") ;; *) eval_args+=("$arg") ;; esac
  done
  local ckpt
  ckpt=$("$PY" -c "import sys; from foley_train.eval.classifier import classifier_path; print(classifier_path('--smoke' in sys.argv))" "${smoke[@]}")
  if [ $force = 1 ] || [ ! -f "$ckpt" ]; then
    "$PY" -m foley_train.eval.classifier "${smoke[@]}"
  else
    echo "eval: classifier exists at $ckpt (pass --force to retrain)" >&2
  fi
  for arg in "${eval_args[@]}"; do
    if [ "$arg" = --wavs ]; then "$PY" -m foley_train.eval.evaluate "${eval_args[@]}"; break; fi
  done
}

if [ "$stage" = all ]; then
  for s in $STAGES; do run_stage "$s" "${SMOKE[@]}"; done
else
  run_stage "$stage" "$@"
fi
