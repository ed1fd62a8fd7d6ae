# The ffmpeg components SirTrav uses, and only those: build.sh enables them,
# check.sh proves the built binary has them. Add a component here when code
# starts to use one (a new -f, -c:v/-c:a, filter or input format), then rebuild.
# shellcheck disable=SC2034 # read by build.sh and check.sh

# Output codecs: x264 and AAC for the video; the poster (mjpeg); a frame as PNG
# (contact sheet); raw frames and PCM for measurements in tests and benches;
# wrapped_avframe and pcm_s16le are what `-f null` encodes to.
ENCODERS=(libx264 aac mjpeg png rawvideo wrapped_avframe pcm_s16le pcm_f32le)

# Inputs: clips (H.264/HEVC in MP4/MOV), photos (JPEG/PNG/WebP), audio
# (AAC, MP3, PCM WAV), raw frames on stdin, our own outputs; -f lavfi hands
# over its video as wrapped_avframe and its audio as PCM (up to f64).
DECODERS=(
  h264 hevc mjpeg png webp rawvideo wrapped_avframe
  aac aac_fixed mp3 mp3float
  pcm_s16le pcm_s16be pcm_s24le pcm_s24be pcm_s32le pcm_f32le pcm_f32be pcm_f64le pcm_u8
)

# -f mp4 (video, soundtrack.m4a), mov/ipod (by extension), -f null, -f rawvideo,
# image2 (poster.jpg), image2pipe (PNG on stdout), wav/s16le/f32le (PCM on
# stdout; configure names the -f s16le/f32le formats pcm_s16le/pcm_f32le),
# ffmetadata (chapters), adts (AAC elementary stream), segment (an earlier video
# cut at its keyframes by stream copy, for an edit that reuses it).
MUXERS=(mp4 mov ipod null rawvideo image2 image2pipe wav pcm_s16le pcm_f32le ffmetadata adts segment)

# -f rawvideo (frames on stdin), -f concat (segments), mov (MP4/MOV/M4A),
# wav, mp3, aac (ADTS), photos as images, ffmetadata (chapters).
DEMUXERS=(
  rawvideo concat mov wav mp3 aac ffmetadata
  image2 image2pipe image_jpeg_pipe image_png_pipe image_webp_pipe
  pcm_s16le pcm_f32le
)

# Named in code: ebur128 (loudness), crop/format/scale (test measurements),
# xfade/perspective/overlay/zscale/tonemap/setparams (clips and HDR), zoompan.
# Inserted by the ffmpeg CLI itself: scale and aresample (format conversion),
# format/aformat, null/anull, trim/atrim (-ss/-t), transpose/hflip/vflip/rotate
# (a phone clip's rotation), crop (a container's crop), setpts/asetpts, fps, apad.
# Sources for -f lavfi: testsrc, color, nullsrc, sine, anullsrc.
FILTERS=(
  ebur128 loudnorm volume amix aresample aformat anull atrim asetpts apad afade asplit pan
  scale format crop pad fps setsar setpts settb trim null copy split fade concat
  transpose hflip vflip rotate overlay xfade perspective zoompan
  zscale tonemap setparams
  testsrc color nullsrc sine anullsrc
)

PARSERS=(h264 hevc aac mpegaudio mjpeg png webp)

# mp4toannexb for -f h264 style outputs; aac_adtstoasc for ADTS into MP4 (the
# concat demuxer inserts it); null is ffmpeg's pass-through.
BSFS=(h264_mp4toannexb hevc_mp4toannexb aac_adtstoasc extract_extradata null)

PROTOCOLS=(file pipe)

# -f lavfi (synthetic inputs in tests and the ffmpeg host fixture)
INDEVS=(lavfi)
