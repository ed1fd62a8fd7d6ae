/** What `ffmpeg -i` says of a clip, parsed from its report (the project's ffmpeg ships without ffprobe). */
export interface ClipProbe {
  durationSec: number;
  video: { codec: string; width: number; height: number; fps: number } | null;
  hasAudio: boolean;
  /** Clockwise degrees to turn the stored picture upright (0, 90, 180, 270). */
  rotation: number;
  /** An HLG or PQ transfer (tone-mapped to SDR when rendered), or null for SDR. */
  hdr: 'hlg' | 'pq' | null;
  tags: Record<string, string>;
}

const number = (text: string | undefined) => (text === undefined ? NaN : Number(text));

/** The container's and the first video stream's metadata tags, lower-cased keys, first value wins. */
function parseTags(report: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const match of report.matchAll(/^ {4,6}([\w.-]+?)(?:-[a-z]{3})?\s*: (.*)$/gm)) {
    const key = match[1]!.toLowerCase();
    if (!(key in tags)) tags[key] = match[2]!.trim();
  }
  return tags;
}

export function parseClipReport(report: string): ClipProbe {
  const duration = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(report);
  const videoLine = /Stream #\d+:\d+.*?: Video: (.*)$/m.exec(report)?.[1] ?? null;
  const size = videoLine ? /, (\d{1,6})x(\d{1,6})[, []/.exec(videoLine) : null;
  const fps = videoLine ? /, (\d+(?:\.\d+)?) fps/.exec(videoLine) : null;
  // ffmpeg reports the matrix as the counter-clockwise angle; a phone's portrait clip says -90.
  const matrix = /displaymatrix: rotation of (-?\d+(?:\.\d+)?) degrees/.exec(report);
  const rotation = matrix ? (((Math.round(-number(matrix[1]) / 90) * 90) % 360) + 360) % 360 : 0;
  return {
    durationSec: duration ? number(duration[1]) * 3600 + number(duration[2]) * 60 + number(duration[3]) : 0,
    video:
      videoLine && size
        ? {
            codec: /^(\w+)/.exec(videoLine)?.[1] ?? 'unknown',
            width: number(size[1]),
            height: number(size[2]),
            fps: fps ? number(fps[1]) : 30,
          }
        : null,
    hasAudio: /Stream #\d+:\d+.*?: Audio: /.test(report),
    rotation,
    hdr: videoLine?.includes('arib-std-b67') ? 'hlg' : videoLine?.includes('smpte2084') ? 'pq' : null,
    tags: parseTags(report),
  };
}
