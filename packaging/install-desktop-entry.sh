#!/bin/sh
# Adds kexue-reader to the desktop's application menu for the current user, pointing at this
# bundle wherever it was unpacked (paths with spaces or Chinese characters are fine).
# Usage: ./install-desktop-entry.sh          Undo: rm the two files it names.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/256x256/apps"
mkdir -p "$apps" "$icons"
cp "$here/kexue-reader.png" "$icons/kexue-reader.png"
# The Exec key quotes the path as the Desktop Entry spec asks: \ " ` $ escaped inside "...",
# and each backslash doubled once more by the spec's string escaping.
quoted=$(printf '%s' "$here/kexue-reader" | sed -e 's/[\\"`$]/\\\\&/g')
EXEC_LINE="Exec=\"$quoted\" %F" awk '/^Exec=/ { print ENVIRON["EXEC_LINE"]; next } { print }' \
  "$here/kexue-reader.desktop" >"$apps/kexue-reader.desktop"
echo "installed $apps/kexue-reader.desktop and $icons/kexue-reader.png"
