#!/usr/bin/env bash
# Builds the ffmpeg binary this package ships: FFmpeg 7.1.5, fully static, with
# only the components SirTrav uses (see components.sh), from Debian sources only.
#
#   packages/ffmpeg-linux-x64/build.sh            # build and install ./ffmpeg here
#   WORK=/some/dir packages/ffmpeg-linux-x64/build.sh
#
# Runs as root on Debian 12 (bookworm), x86-64. Every input is pinned:
#   - FFmpeg's upstream source: the orig tarball of Debian trixie's ffmpeg source
#     package, checked against the SHA-256 below (Debian's patches are not applied);
#   - static libx264.a, libzimg.a and libz.a: from bookworm's -dev packages;
#   - the toolchain and libc.a: the host's build-essential, nasm and pkg-config.
# It is idempotent: a second run reuses the download, the unpacked deps and make's
# objects, and a changed component list rebuilds only what it touches.
# It writes SOURCES.txt beside itself: what was used, with checksums (the
# corresponding source, for the GPL).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=${WORK:-/tmp/sirtrav-ffmpeg-build}

FFMPEG_SOURCE_VERSION='7:7.1.5-0+deb13u1' # trixie
FFMPEG_ORIG='ffmpeg_7.1.5.orig.tar.xz'
FFMPEG_ORIG_SHA256='de668509caf9e35e3cd162473441fdb29538c6d96ed080292b3cf9e6fc5d558f'
# bookworm's static libraries (package=version)
DEV_PACKAGES=('libx264-dev=2:0.164.3095+gitbaee400-3' 'libzimg-dev=3.0.4+ds1-1' 'zlib1g-dev=1:1.2.13.dfsg-1')

# shellcheck source=components.sh
source "$HERE/components.sh"

# A private apt state: the host's sources are neither used nor changed.
APT="$WORK/apt"
mkdir -p "$APT"/{lists/partial,cache/archives/partial} "$WORK/deps" "$WORK/src" "$WORK/debs"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
cat >"$APT/sources.list" <<SOURCES
deb [signed-by=$KEYRING] http://deb.debian.org/debian bookworm main
deb-src [signed-by=$KEYRING] http://deb.debian.org/debian bookworm main
deb-src [signed-by=$KEYRING] http://deb.debian.org/debian trixie main
SOURCES
apt_private() {
  local cmd=$1
  shift
  "$cmd" -o Dir::Etc::sourcelist="$APT/sources.list" -o Dir::Etc::sourceparts=- \
    -o Dir::State::Lists="$APT/lists" -o Dir::Cache="$APT/cache" "$@"
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

step() { printf '\n== %s\n' "$*"; }

step 'toolchain'
missing=()
for tool in gcc make nasm pkg-config; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  apt-get update -q
  apt-get install -y --no-install-recommends build-essential nasm pkg-config
fi

step 'package lists'
if [[ ! -f "$APT/updated" || -n $(find "$APT/updated" -mmin +1440) ]]; then
  apt_private apt-get update -q
  touch "$APT/updated"
fi

step "source: $FFMPEG_ORIG"
if [[ ! -f "$WORK/src/$FFMPEG_ORIG" || $(sha256_of "$WORK/src/$FFMPEG_ORIG") != "$FFMPEG_ORIG_SHA256" ]]; then
  rm -f "$WORK/src/$FFMPEG_ORIG"
  (cd "$WORK/src" && apt_private apt-get source --download-only "ffmpeg=$FFMPEG_SOURCE_VERSION")
fi
actual=$(sha256_of "$WORK/src/$FFMPEG_ORIG")
if [[ $actual != "$FFMPEG_ORIG_SHA256" ]]; then
  echo "$FFMPEG_ORIG has SHA-256 $actual, expected $FFMPEG_ORIG_SHA256" >&2
  exit 1
fi
SRC="$WORK/src/ffmpeg-7.1.5"
[[ -f "$SRC/configure" ]] || tar -xJf "$WORK/src/$FFMPEG_ORIG" -C "$WORK/src"

step 'static libraries'
for spec in "${DEV_PACKAGES[@]}"; do
  name=${spec%%=*}
  if ! compgen -G "$WORK/debs/${name}_*.deb" >/dev/null; then
    (cd "$WORK/debs" && apt_private apt-get download "$spec")
  fi
done
if [[ ! -f "$WORK/deps/.unpacked" ]]; then
  for deb in "$WORK"/debs/*.deb; do dpkg-deb -x "$deb" "$WORK/deps"; done
  # Shared objects would win over the archives at link time.
  find "$WORK/deps" -name '*.so*' -delete
  sed -i "s#^prefix=/usr#prefix=$WORK/deps/usr#; s#^libdir=/usr/lib#libdir=$WORK/deps/usr/lib#; s#-L/usr/lib#-L$WORK/deps/usr/lib#" \
    "$WORK"/deps/usr/lib/x86_64-linux-gnu/pkgconfig/*.pc
  touch "$WORK/deps/.unpacked"
fi
LIBDIR="$WORK/deps/usr/lib/x86_64-linux-gnu"

step 'configure'
join_commas() {
  local IFS=,
  echo "$*"
}
CONFIGURE=(
  --enable-gpl --enable-static --disable-shared
  --pkg-config-flags=--static --extra-cflags="-I$WORK/deps/usr/include" --extra-ldflags="-static -L$LIBDIR" --extra-ldexeflags=-static
  --extra-libs='-lpthread -lm'
  --disable-everything --disable-autodetect --disable-network --disable-doc --disable-debug --enable-small
  --disable-ffplay --disable-ffprobe
  --enable-libx264 --enable-libzimg --enable-zlib
  --enable-encoder="$(join_commas "${ENCODERS[@]}")"
  --enable-decoder="$(join_commas "${DECODERS[@]}")"
  --enable-muxer="$(join_commas "${MUXERS[@]}")"
  --enable-demuxer="$(join_commas "${DEMUXERS[@]}")"
  --enable-filter="$(join_commas "${FILTERS[@]}")"
  --enable-parser="$(join_commas "${PARSERS[@]}")"
  --enable-bsf="$(join_commas "${BSFS[@]}")"
  --enable-protocol="$(join_commas "${PROTOCOLS[@]}")"
  --enable-indev="$(join_commas "${INDEVS[@]}")"
)
cd "$SRC"
# configure is rerun only when its arguments change (it rewrites config.h only when that changes).
if [[ ! -f "$WORK/configured" || $(cat "$WORK/configured") != "${CONFIGURE[*]}" ]]; then
  PKG_CONFIG_PATH="$LIBDIR/pkgconfig" ./configure "${CONFIGURE[@]}"
  echo "${CONFIGURE[*]}" >"$WORK/configured"
fi

step 'make'
make -j"$(nproc)" ffmpeg
strip --strip-all -o "$HERE/ffmpeg" ffmpeg
chmod 755 "$HERE/ffmpeg"

step 'SOURCES.txt'
# A binary package's source package and version (Source may carry its own version).
source_of() {
  local src ver
  src=$(dpkg-deb -f "$1" Source)
  ver=$(dpkg-deb -f "$1" Version)
  if [[ $src =~ ^([^ ]+)\ \((.+)\)$ ]]; then
    src=${BASH_REMATCH[1]}
    ver=${BASH_REMATCH[2]}
  fi
  echo "${src:-$(dpkg-deb -f "$1" Package)}=$ver"
}
# The SHA-256 of the tarballs of a source package at a version (NAME=VERSION), as Debian's index lists them.
tarballs_of() {
  apt_private apt-cache showsrc "${1%%=*}" | awk -v want="${1#*=}" '
    /^Version:/ { here = ($2 == want) } /^Checksums-Sha256:/ { on = here; next } /^[^ ]/ { on = 0 }
    on && $3 ~ /\.tar\.[a-z0-9]+$/ { print "    " $3 "  SHA-256 " $1 }' | sort -u
}
{
  echo "ffmpeg $(sha256_of "$HERE/ffmpeg")  (the binary, stripped)"
  echo
  echo "FFmpeg: $FFMPEG_ORIG, the upstream tarball of Debian's ffmpeg source package $FFMPEG_SOURCE_VERSION (trixie),"
  echo "  used as it is (no Debian patches); SHA-256 $FFMPEG_ORIG_SHA256"
  echo "Static libraries linked in, from Debian bookworm's binary packages (apt-get source <package>=<version>):"
  for deb in "$WORK"/debs/*.deb; do
    source=$(source_of "$deb")
    echo "  $(basename "$deb")  SHA-256 $(sha256_of "$deb")"
    echo "    source package $source:"
    tarballs_of "$source"
  done
  echo "Toolchain and libc.a: the build host's, Debian $(cat /etc/debian_version): gcc $(gcc -dumpfullversion),"
  echo "  glibc $(ldd --version | head -1 | awk '{print $NF}') (source package glibc)"
  echo
  echo "configure arguments (\$WORK was $WORK):"
  printf '  %s\n' "${CONFIGURE[@]}"
} >"$HERE/SOURCES.txt"

step 'done'
"$HERE/ffmpeg" -hide_banner -version | head -1
ls -l "$HERE/ffmpeg"
