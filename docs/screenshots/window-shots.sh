#!/usr/bin/env bash
# Takes the window screenshots docs/screenshots/window-{light,dark}-{sample,1500}.png under Xvfb.
# Needs: scripts/setup --with-screenshot-tools (Xvfb, xdotool, imagemagick; fonts-noto-cjk).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=docs/screenshots
work=$(mktemp -d)
trap 'kill "${xvfb:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
export DISPLAY=:97 QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox --disable-gpu"
Xvfb "$DISPLAY" -screen 0 1280x820x24 -nolisten tcp &
xvfb=$!
sleep 1
[[ -f "$work/c1500.txt" ]] || .venv/bin/python -m reader.core.corpus 1500 --seed 1 -o "$work/c1500.txt"

shoot() {  # theme corpus-name path query
  local theme=$1 name=$2 path=$3 query=$4
  local home="$work/home-$theme-$name"
  mkdir -p "$home/config"
  # A fixed window geometry: no window manager runs under Xvfb.
  KEXUE_READER_HOME="$home" .venv/bin/kexue-reader --theme "$theme" "$path" &
  local pid=$!
  # Wait until the library is loaded (the window then records it as the last library).
  for _ in $(seq 600); do
    grep -q last_library "$home/config/settings.json" 2>/dev/null && break
    sleep 0.1
  done
  sleep 3  # the pane typesets the first screen
  if [[ -n "$query" ]]; then
    # No window manager gives the window focus under Xvfb; do it by hand.
    xdotool search --onlyvisible --name 'kexue-reader' windowfocus --sync || true
    xdotool key --clearmodifiers ctrl+f
    xdotool type --delay 60 "$query"
    sleep 1
    xdotool key Return
    sleep 4
  fi
  import -window root "$out/window-$theme-$name.png"
  kill -TERM "$pid"
  wait "$pid" || true
}

for theme in light dark; do
  shoot "$theme" sample --sample ""  # first run: shows the welcome note
  shoot "$theme" 1500 "$work/c1500.txt" "Muon softmax"
done
ls -l "$out"/window-*.png
