#!/usr/bin/env bash
# Builds Lumen.app (the menu bar item, universal: arm64 + x86_64) and Lumen.dmg. macOS only, with
# the Xcode command line tools (swiftc, lipo, codesign, hdiutil).
#
#   scripts/macos/build.sh                 # uses dist/lumen-{aarch64,x86_64}-apple-darwin
#   LUMEN_ARM64=… LUMEN_X86_64=… OUT=… VERSION=1.2.3 SIGN_IDENTITY="Developer ID …" build.sh
#
# The two lumen binaries come from `deno task compile` (one per macOS target); they are merged with
# lipo into Contents/MacOS/lumen, which the app starts and supervises. Without SIGN_IDENTITY the
# app is signed ad hoc (runs on this Mac; Gatekeeper elsewhere wants a Developer ID and notarization).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
lumen_arm64=${LUMEN_ARM64:-$root/dist/lumen-aarch64-apple-darwin}
lumen_x86_64=${LUMEN_X86_64:-$root/dist/lumen-x86_64-apple-darwin}
out=${OUT:-$root/dist}
version=${VERSION:-0.0.0}
identity=${SIGN_IDENTITY:--}
min_macos=12.0

fail() {
  echo "build.sh: $*" >&2
  exit 1
}

# Fails unless `file` holds exactly the arm64 and x86_64 slices.
require_universal() {
  local file=$1 archs
  archs=$(lipo -archs "$file") || fail "lipo cannot read $file"
  case " $archs " in
    *" arm64 "*) ;;
    *) fail "$file lacks arm64 (it has: $archs)" ;;
  esac
  case " $archs " in
    *" x86_64 "*) ;;
    *) fail "$file lacks x86_64 (it has: $archs)" ;;
  esac
  echo "build.sh: $(basename "$file"): $archs"
}

# Fails unless `file` is a single-architecture binary of `arch`.
require_arch() {
  local file=$1 arch=$2 archs
  [ -f "$file" ] || fail "missing $file: run \`deno task compile\` on a machine that can reach Deno's servers, or set LUMEN_ARM64 / LUMEN_X86_64"
  archs=$(lipo -archs "$file") || fail "lipo cannot read $file: not a Mach-O binary"
  [ "$archs" = "$arch" ] || fail "$file should be $arch only, it is: $archs"
}

[ "$(uname -s)" = Darwin ] || fail "Lumen.app can only be built on macOS"
for tool in swiftc lipo codesign hdiutil xcrun plutil; do
  command -v "$tool" >/dev/null || fail "$tool not found: install the Xcode command line tools (xcode-select --install)"
done
require_arch "$lumen_arm64" arm64
require_arch "$lumen_x86_64" x86_64

work=$(mktemp -d "${TMPDIR:-/tmp}/lumen-app.XXXXXX")
trap 'rm -rf "$work"' EXIT
sdk=$(xcrun --sdk macosx --show-sdk-path)

for arch in arm64 x86_64; do
  echo "build.sh: compiling the app for $arch"
  swiftc -O -parse-as-library -swift-version 5 \
    -sdk "$sdk" -target "$arch-apple-macos$min_macos" \
    -framework AppKit -framework WebKit \
    "$here"/Sources/*.swift -o "$work/Lumen-$arch"
done

app=$work/Lumen.app
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"
lipo -create "$work/Lumen-arm64" "$work/Lumen-x86_64" -output "$app/Contents/MacOS/Lumen"
lipo -create "$lumen_arm64" "$lumen_x86_64" -output "$app/Contents/MacOS/lumen"
chmod 755 "$app/Contents/MacOS/Lumen" "$app/Contents/MacOS/lumen"
require_universal "$app/Contents/MacOS/Lumen"
require_universal "$app/Contents/MacOS/lumen"

cp "$here/Info.plist" "$app/Contents/Info.plist"
plutil -replace CFBundleShortVersionString -string "$version" "$app/Contents/Info.plist"
plutil -replace CFBundleVersion -string "$version" "$app/Contents/Info.plist"
plutil -lint "$app/Contents/Info.plist" >/dev/null || fail "Info.plist is not valid"

# Inside out: the nested daemon first, then the app that seals it.
codesign --force --options runtime --timestamp=none --sign "$identity" \
  --entitlements "$here/lumen.entitlements" "$app/Contents/MacOS/lumen"
codesign --force --options runtime --timestamp=none --sign "$identity" "$app"
codesign --verify --strict "$app" || fail "the signature of Lumen.app does not verify"

mkdir -p "$out"
rm -rf "$out/Lumen.app"
cp -R "$app" "$out/Lumen.app"

stage=$work/dmg
mkdir -p "$stage"
cp -R "$app" "$stage/Lumen.app"
ln -s /Applications "$stage/Applications"
dmg=$out/Lumen-$version.dmg
rm -f "$dmg"
hdiutil create -volname Lumen -srcfolder "$stage" -fs HFS+ -format UDZO -ov "$dmg" >/dev/null
hdiutil verify "$dmg" >/dev/null || fail "$dmg does not verify"
echo "build.sh: built $out/Lumen.app and $dmg"
