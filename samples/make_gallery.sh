#!/usr/bin/env bash
# Regenerates the sample gallery from samples/prompts.json: for each entry a WAV, the exact command that made it,
# a log-mel spectrogram PNG (foley mel), and the index page samples/README.md.
#
#   npm run build && bash samples/make_gallery.sh [--bundle DIR] [--steps N]
#
# Entries: {"id", "prompt", "duration" (s), "seed" (default 1), "loop" (default false)}.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${FOLEY_BIN:-dist/cli/bin.js}"   # the built CLI
OUT="${GALLERY_OUT:-samples}"         # where WAVs, PNGs and README.md go
if [ ! -f "$BIN" ]; then
  echo "make_gallery: build first (npm run build)" >&2
  exit 2
fi
EXTRA=("$@")
# Shell-quotes an argument for display only when it needs it.
show() { case "$1" in *[!A-Za-z0-9._/=+-]*) printf '"%s"' "$1" ;; *) printf '%s' "$1" ;; esac; }
INDEX="$OUT/README.md"
TMP_INDEX="$(mktemp)"
{
  echo "# Sample gallery"
  echo
  echo "Made by \`bash samples/make_gallery.sh${EXTRA[*]:+ ${EXTRA[*]}}\` from \`samples/prompts.json\` with the bundle's default settings."
  echo "Each row gives the exact command; the image is the log-mel spectrogram (\`foley mel\`)."
  echo
  echo "| sound | command | spectrogram |"
  echo "|---|---|---|"
} > "$TMP_INDEX"

node -e '
  for (const p of require(process.env.GALLERY_PROMPTS ?? "./samples/prompts.json"))
    console.log([p.id, p.prompt, p.duration ?? 4, p.seed ?? 1, p.loop ? "1" : "0"].join("\t"));
' | while IFS=$'\t' read -r id prompt duration seed loop; do
  wav="$OUT/$id.wav"
  png="$OUT/$id.png"
  cmd=(foley generate "$prompt" -o "$wav" --duration "$duration" --seed "$seed" --force)
  if [ "$loop" = "1" ]; then cmd+=(--loop); fi
  cmd+=("${EXTRA[@]}")
  echo "make_gallery: ${cmd[*]}" >&2
  node "$BIN" "${cmd[@]:1}" < /dev/null
  # --force: the gallery remakes its own images (mel refuses to replace a file otherwise)
  if ! node "$BIN" mel "$wav" --png "$png" --force > /dev/null 2>&1; then
    echo "make_gallery: no spectrogram for $id (foley mel failed)" >&2
    png=""
  fi
  shown=""
  for arg in "${cmd[@]}"; do shown+="$(show "$arg") "; done
  image=""
  if [ -n "$png" ]; then image="![$id]($id.png)"; fi
  echo "| [$id.wav]($id.wav) — $prompt | \`${shown% }\` | $image |" >> "$TMP_INDEX"
done
mv "$TMP_INDEX" "$INDEX"
echo "make_gallery: wrote $INDEX" >&2
