#!/usr/bin/env bash
# Install everything the training recipe needs (Debian 12), idempotently.
#   training/setup.sh            system packages + the sound-effect packages unpacked into training/cache/x
#   training/setup.sh --smoke    system packages only, plus the small SFX packages (for CI)
# System packages go through apt-get install; the game/theme SFX packages are only downloaded and unpacked
# into the git-ignored cache (never installed system-wide).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${FOLEY_CACHE:-$HERE/cache}
SMOKE=0
for arg in "$@"; do [ "$arg" = --smoke ] && SMOKE=1; done

SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null && SUDO="sudo" || { echo "setup.sh: run as root or install sudo" >&2; exit 2; }
fi
APT_OPTS=(-y -o DPkg::Lock::Timeout=600)
SYSTEM_PACKAGES=(python3 python3-numpy python3-scipy python3-soundfile python3-torch python3-torchaudio python3-onnx python3-pil
  fluidsynth fluid-soundfont-gm fluid-soundfont-gs hydrogen-drumkits sox libsox-fmt-base unzip)

missing=()
for p in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -o DPkg::Lock::Timeout=600
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install "${APT_OPTS[@]}" --no-install-recommends "${missing[@]}"
else
  echo "setup: system packages already installed"
fi

# Sound-effect sources: downloaded .deb files unpacked into $CACHE/x/<package> (licences in training/README.md).
SFX_SMALL=(minetest-data teeworlds-data lugaru-data endless-sky-data yaru-theme-sound lomiri-sounds
  sound-theme-freedesktop sonic-pi-samples)
SFX_LARGE=(megaglest-data 0ad-data)
mkdir -p "$CACHE/debs" "$CACHE/x"
fetch() {  # fetch PKG: download and unpack unless already unpacked
  local p=$1
  [ -f "$CACHE/x/$p/.unpacked" ] && return 0
  if ! ls "$CACHE/debs/${p}"_*.deb >/dev/null 2>&1; then
    (cd "$CACHE/debs" && apt-get download "$p" >/dev/null 2>&1) || {
      $SUDO apt-get update -o DPkg::Lock::Timeout=600 >/dev/null && (cd "$CACHE/debs" && apt-get download "$p"); }
  fi
  mkdir -p "$CACHE/x/$p"
  dpkg -x "$(ls "$CACHE/debs/${p}"_*.deb | head -1)" "$CACHE/x/$p"
  touch "$CACHE/x/$p/.unpacked"
  [ "$p" = 0ad-data ] || rm -f "$CACHE/debs/${p}"_*.deb  # unpacked: the .deb is no longer needed
  echo "setup: unpacked $p"
}
pkgs=("${SFX_SMALL[@]}")
[ $SMOKE = 0 ] && pkgs+=("${SFX_LARGE[@]}")
for p in "${pkgs[@]}"; do fetch "$p"; done
if [ $SMOKE = 0 ] && [ ! -f "$CACHE/x/0ad-audio/.unpacked" ]; then
  # 0 A.D. keeps its audio in public.zip; take the effects only (no music, no voice lines)
  unzip -q -o "$CACHE/x/0ad-data/usr/share/games/0ad/mods/public/public.zip" 'audio/*' -x 'audio/music/*' 'audio/voice/*' \
    -d "$CACHE/x/0ad-audio"
  touch "$CACHE/x/0ad-audio/.unpacked"
  # the effects are out: drop the 3 GB game tree and its 1.4 GB .deb, keep the marker
  find "$CACHE/x/0ad-data" -mindepth 1 -maxdepth 1 ! -name .unpacked -exec rm -rf {} +
  rm -f "$CACHE/debs/0ad-data"_*.deb
  echo "setup: unpacked 0ad-audio"
fi
echo "setup: done"
