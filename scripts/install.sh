#!/bin/sh
# Installs the `lumen` binary and a login service that runs `lumen serve`: a systemd user unit on
# Linux, a launchd agent on macOS. `--uninstall` removes both and offers to untrust Lumen's CA.
#
#   sh scripts/install.sh [--binary PATH] [--system] [--dry-run]
#   sh scripts/install.sh --uninstall [--system] [--untrust-ca] [--dry-run]
#
# --binary PATH  the lumen binary to install (default: dist/lumen-<this machine's target>)
# --system       install to /usr/local/bin with sudo instead of ~/.local/bin
# --untrust-ca   with --uninstall: run `lumen ca untrust` without asking
# --dry-run      print every command and file instead of running or writing it
# The service templates live beside this script in service/. LUMEN_INSTALL_OS=linux|macos
# overrides the detected system (for tests).
set -eu

SCRIPT_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
LABEL="ai.lumen.daemon"
binary=""
uninstall=0
system=0
dry_run=0
untrust_ca=0

usage() {
  sed -n '5,6p' "$0" | sed 's/^#   //'
}

die() {
  printf 'install.sh: %s\n' "$1" >&2
  exit 1
}

while [ "$#" -gt 0 ]; do
  case "$1" in
    --binary)
      [ "$#" -ge 2 ] || die "--binary needs a path"
      binary=$2
      shift 2
      ;;
    --uninstall) uninstall=1; shift ;;
    --system) system=1; shift ;;
    --dry-run) dry_run=1; shift ;;
    --untrust-ca) untrust_ca=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

# Runs a command, or prints it (quoted as a shell would need it) with --dry-run.
run() {
  if [ "$dry_run" -eq 1 ]; then
    printf '+'
    for arg in "$@"; do printf " '%s'" "$(printf '%s' "$arg" | sed "s/'/'\\\\''/g")"; done
    printf '\n'
  else
    "$@"
  fi
}

# Writes stdin to the file $1, or prints it between markers with --dry-run.
write_file() {
  if [ "$dry_run" -eq 1 ]; then
    printf '+ write %s <<EOF\n' "$1"
    cat
    printf 'EOF\n'
  else
    mkdir -p "$(dirname -- "$1")"
    cat >"$1"
  fi
}

# Escapes $1 for the replacement side of a sed s||| expression.
sed_escape() {
  printf '%s' "$1" | sed 's/[&|\\]/\\&/g'
}

# Escapes $1 for XML text.
xml_escape() {
  printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g'
}

os=${LUMEN_INSTALL_OS:-}
if [ -z "$os" ]; then
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=macos ;;
    *) die "unsupported system $(uname -s): on Windows use scripts/install.ps1" ;;
  esac
fi
[ -n "${HOME:-}" ] || die "HOME is not set"

if [ "$system" -eq 1 ]; then
  bin_dir=/usr/local/bin
  sudo=sudo
else
  bin_dir="$HOME/.local/bin"
  sudo=""
fi
installed="$bin_dir/lumen"
unit="${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user/lumen.service"
plist="$HOME/Library/LaunchAgents/$LABEL.plist"

# Runs a command with sudo for --system.
run_root() {
  if [ -n "$sudo" ]; then run "$sudo" "$@"; else run "$@"; fi
}

default_binary() {
  case "$(uname -m)" in
    x86_64 | amd64) arch=x86_64 ;;
    arm64 | aarch64) arch=aarch64 ;;
    *) die "unsupported architecture $(uname -m)" ;;
  esac
  if [ "$os" = macos ]; then target="$arch-apple-darwin"; else target="$arch-unknown-linux-gnu"; fi
  printf '%s/../dist/lumen-%s' "$SCRIPT_DIR" "$target"
}

install_service_linux() {
  template="$SCRIPT_DIR/service/lumen.service"
  [ -f "$template" ] || die "cannot find the unit template $template"
  sed "s|@LUMEN_BIN@|$(sed_escape "$installed")|g" "$template" | write_file "$unit"
  run systemctl --user daemon-reload
  run systemctl --user enable --now lumen
  printf 'Lumen runs at login as the systemd user service lumen (journalctl --user -u lumen).\n'
}

install_service_macos() {
  template="$SCRIPT_DIR/service/$LABEL.plist"
  [ -f "$template" ] || die "cannot find the launchd template $template"
  logs="$HOME/Library/Logs"
  run mkdir -p "$logs"
  sed -e "s|@LUMEN_BIN@|$(sed_escape "$(xml_escape "$installed")")|g" \
    -e "s|@LOG_DIR@|$(sed_escape "$(xml_escape "$logs")")|g" "$template" | write_file "$plist"
  uid=$(id -u)
  # A loaded agent must be booted out before it can be bootstrapped again (reinstall).
  if [ "$dry_run" -eq 1 ] || launchctl print "gui/$uid/$LABEL" >/dev/null 2>&1; then
    run launchctl bootout "gui/$uid/$LABEL" || true
  fi
  run launchctl bootstrap "gui/$uid" "$plist"
  printf 'Lumen runs at login as the launchd agent %s (logs in %s/lumen.log).\n' "$LABEL" "$logs"
}

do_install() {
  [ -n "$binary" ] || binary=$(default_binary)
  [ -f "$binary" ] || die "cannot find the lumen binary $binary: build it with deno task compile or pass --binary PATH"
  run_root mkdir -p "$bin_dir"
  run_root cp "$binary" "$installed"
  run_root chmod 755 "$installed"
  printf 'Installed %s\n' "$installed"
  case ":$PATH:" in
    *":$bin_dir:"*) ;;
    *) printf 'Note: %s is not on your PATH; add it to use the lumen command.\n' "$bin_dir" ;;
  esac
  if [ "$os" = macos ]; then install_service_macos; else install_service_linux; fi
}

# Asks whether to run `lumen ca untrust`: default no; skipped with a message when not interactive.
offer_untrust() {
  if [ ! -x "$installed" ] && [ "$dry_run" -eq 0 ]; then return 0; fi
  answer=n
  if [ "$untrust_ca" -eq 1 ]; then
    answer=y
  elif [ -t 0 ]; then
    printf "Remove Lumen's CA from the system trust store (lumen ca untrust)? [y/N] "
    read -r answer || answer=n
  else
    printf "Not interactive: skipping 'lumen ca untrust' (pass --untrust-ca to run it).\n"
  fi
  case "$answer" in
    y | Y | yes | YES) run "$installed" ca untrust || printf 'lumen ca untrust failed; the CA may still be trusted.\n' ;;
    *) ;;
  esac
}

do_uninstall() {
  if [ "$os" = macos ]; then
    run launchctl bootout "gui/$(id -u)/$LABEL" || true
    run rm -f "$plist"
  else
    run systemctl --user disable --now lumen || true
    run rm -f "$unit"
    run systemctl --user daemon-reload || true
  fi
  offer_untrust
  run_root rm -f "$installed"
  printf "Uninstalled Lumen (its data in ~/.lumen or LUMEN_HOME is kept).\n"
}

if [ "$uninstall" -eq 1 ]; then do_uninstall; else do_install; fi
