#!/usr/bin/env bash
# Checks an ffmpeg binary against what SirTrav needs of it: every component in
# components.sh is there, it is static, and each kind of job the project gives
# ffmpeg runs (encode, join, measure, chapters, clips, HDR). Exits non-zero at
# the end with the list of what is missing. Written for the 7.x build (Debian's
# ffmpeg 5.1, the tests' second build, fails the static and rotation checks).
#
#   packages/ffmpeg-linux-x64/check.sh [FFMPEG]    # default: ./ffmpeg beside this script
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FFMPEG=${1:-$HERE/ffmpeg}
# shellcheck source=components.sh
source "$HERE/components.sh"

failures=0
fail() {
  echo "MISSING: $*" >&2
  failures=$((failures + 1))
}

"$FFMPEG" -hide_banner -version | head -1

# Names as the binary lists them: the second column of `ffmpeg -<kind>`, past the
# legend (filters have no rule under theirs, only flags); a demuxer may list
# several names at once (mov,mp4,m4a,...).
listed() {
  "$FFMPEG" -hide_banner "-$1" 2>/dev/null |
    awk -v kind="$1" 'seen || (kind == "filters" && /^ [T.][S.][C.] /) { print $2 } /^ *-+$/ { seen = 1 }' | tr ',' '\n'
}
# configure's name for a format, as the binary lists it (pcm_s16le -> s16le, image_png_pipe -> png_pipe).
runtime_name() { sed -E 's/^pcm_//; s/^image_(.*_pipe)$/\1/' <<<"$1"; }

expect_all() {
  local kind=$1 have
  shift
  have=$(listed "$kind")
  for name in "$@"; do grep -qx "$name" <<<"$have" || fail "$kind: $name"; done
}
expect_all encoders "${ENCODERS[@]}"
expect_all decoders "${DECODERS[@]}"
expect_all filters "${FILTERS[@]}"
mapfile -t muxers < <(for m in "${MUXERS[@]}"; do runtime_name "$m"; done)
expect_all muxers "${muxers[@]}"
mapfile -t demuxers < <(for d in "${DEMUXERS[@]}"; do runtime_name "$d"; done)
expect_all demuxers "${demuxers[@]}"
expect_all devices "${INDEVS[@]}"
bsfs=$("$FFMPEG" -hide_banner -bsfs 2>/dev/null)
for b in "${BSFS[@]}"; do grep -qx "$b" <<<"$bsfs" || fail "bsf: $b"; done
protocols=$("$FFMPEG" -hide_banner -protocols 2>/dev/null | sed -n '/^Input:/,/^Output:/p' | tr -d ' ')
for p in "${PROTOCOLS[@]}"; do grep -qx "$p" <<<"$protocols" || fail "protocol: $p"; done

# Static: it must run on any x86-64 Linux, whatever its libc.
if ldd "$FFMPEG" >/dev/null 2>&1; then fail "static linking: ldd lists libraries"; fi

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
job() {
  local name=$1
  shift
  if "$FFMPEG" -hide_banner -v error -nostdin -y "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"; then
    echo "ok: $name"
  else
    fail "job $name: $(tail -3 "$OUT/$name.err")"
  fi
}

# The render's jobs, as the code runs them (synthetic input: -f lavfi, as the tests use it).
job lavfi-video -f lavfi -i testsrc=size=320x240:rate=25 -t 0.2 -metadata title=marker -f null -
job lavfi-audio -f lavfi -i anullsrc -t 0.2 -f null -
job raw-frames -f lavfi -i testsrc=size=320x240:rate=30 -t 1 -f rawvideo -pix_fmt yuv420p "$OUT/frames.yuv"
job encode-picture -f rawvideo -pix_fmt yuv420p -s 320x240 -r 30 -color_primaries bt709 -color_trc bt709 -colorspace bt709 -color_range tv \
  -i "$OUT/frames.yuv" -map 0:v -c:v libx264 -preset veryfast -crf 23 -bf 0 -pix_fmt yuv420p -an "$OUT/picture.mp4"
job soundtrack-wav -f lavfi -i sine=frequency=440:sample_rate=48000 -t 1 -ac 2 -c:a pcm_s16le "$OUT/soundtrack.wav"
job encode-soundtrack -i "$OUT/soundtrack.wav" -c:a aac -aac_coder fast -b:a 160k -ar 48000 -ac 2 -f mp4 "$OUT/soundtrack.m4a"
printf "file '%s'\nfile '%s'\n" "$OUT/picture.mp4" "$OUT/picture.mp4" >"$OUT/list.txt"
job join -f concat -safe 0 -i "$OUT/list.txt" -i "$OUT/soundtrack.m4a" -map 0:v -map 1:a -c copy -movflags +faststart -t 2 "$OUT/final.mp4"
job trim-copy -i "$OUT/final.mp4" -map 0:v -c copy -frames:v 10 "$OUT/trim.mp4"
# An edit cuts the earlier video at its keyframes by stream copy (src/render/video/reuse.ts).
job split-copy -i "$OUT/final.mp4" -map 0:v -c copy -f segment -reset_timestamps 1 -segment_frames 30 \
  -segment_list "$OUT/pieces.csv" -segment_list_type csv "$OUT/piece-%04d.mp4"
job poster -ss 0.5 -i "$OUT/final.mp4" -frames:v 1 -q:v 4 "$OUT/poster.jpg"
job loudness -v info -i "$OUT/final.mp4" -map 0:a -af ebur128=peak=true -f null -
grep -q 'Integrated loudness' "$OUT/loudness.err" || fail 'ebur128 printed no summary'
job decode-all -i "$OUT/final.mp4" -f null -
# Measurements in tests and benches.
job frame-png -ss 0.5 -i "$OUT/final.mp4" -frames:v 1 -f image2pipe -vcodec png pipe:1
job luma -i "$OUT/final.mp4" -vf crop=64:64,format=gray -f rawvideo pipe:1
job rgb -i "$OUT/final.mp4" -vf scale=16:9 -f rawvideo -pix_fmt rgb24 -
job pcm -i "$OUT/final.mp4" -map 0:a -f wav -acodec pcm_s16le -
job pcm-raw -i "$OUT/final.mp4" -map 0:a -f s16le -
job pcm-float -i "$OUT/final.mp4" -map 0:a -c:a pcm_f32le -f f32le -
# Inputs: photos, clips (rotated HEVC is decoded only: no HEVC encoder here), MP3 needs a file we cannot make here.
job photo -i "$OUT/poster.jpg" -vf scale=160:-2 -frames:v 1 "$OUT/photo.png"
job photo-png -i "$OUT/photo.png" -f null -
job clip-rotated -display_rotation 90 -i "$OUT/final.mp4" -t 0.5 -c:v libx264 -preset veryfast -c:a aac "$OUT/rotated.mp4"
job transitions -f lavfi -i testsrc=size=320x240:rate=30:d=2 -f lavfi -i color=red:size=320x240:rate=30:d=2 \
  -filter_complex '[0][1]xfade=transition=fade:duration=1:offset=1,perspective=0:0:W:0:0:H:W:H,format=yuv420p[v]' -map '[v]' -c:v libx264 -preset veryfast "$OUT/xfade.mp4"
job overlay -f lavfi -i testsrc=size=320x240:rate=30:d=1 -f lavfi -i color=blue:size=80x60:rate=30:d=1 -filter_complex '[0][1]overlay=10:10' -f null -
job hdr-tonemap -f lavfi -i testsrc=size=320x240:rate=30:d=1 \
  -vf 'format=yuv420p10le,setparams=color_primaries=bt2020:color_trc=smpte2084:colorspace=bt2020nc,zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=hable,zscale=t=bt709:m=bt709:r=tv,format=yuv420p' \
  -c:v libx264 -preset veryfast "$OUT/tonemap.mp4"
# Chapters: written from an ffmetadata file, read back out.
printf ';FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1000\ntitle=One\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=1000\nEND=2000\ntitle=Two\n' >"$OUT/chapters.txt"
job chapters-in -i "$OUT/final.mp4" -i "$OUT/chapters.txt" -map 0 -map_chapters 1 -c copy "$OUT/chapters.mp4"
job chapters-out -i "$OUT/chapters.mp4" -f ffmetadata "$OUT/chapters-read.txt"
grep -q 'title=Two' "$OUT/chapters-read.txt" 2>/dev/null || fail 'chapters did not survive a round trip'

if ((failures)); then
  echo "$failures missing" >&2
  exit 1
fi
echo "all components and jobs present"
