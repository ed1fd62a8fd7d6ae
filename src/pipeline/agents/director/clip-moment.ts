/**
 * What happens in a clip over time, one value per `stepSec` from its start: how loud it is (RMS of its sound,
 * empty when it has none) and how much its picture moves (mean luma change; absent when not measured).
 */
export interface ClipActivity {
  stepSec: number;
  rms: number[];
  motion?: number[];
}

/** Each series scaled to its own peak, so sound and motion weigh the same; a flat series weighs nothing. */
function activityScores(activity: ClipActivity): number[] {
  const series = [activity.rms, activity.motion ?? []].filter(
    (values) => values.length > 0 && Math.max(...values) > 1e-6,
  );
  const length = Math.max(0, ...series.map((values) => values.length));
  return Array.from({ length }, (_, i) =>
    series.reduce((sum, values) => sum + (values[i] ?? 0) / Math.max(...values), 0),
  );
}

/**
 * Where in a clip a shot of `shotSec` starts: the liveliest stretch of that length, by its sound (people
 * laughing, a cheer) and its motion (a wave breaking, a dancer, the ferry leaving) weighed alike, found with
 * a sliding sum; the middle of the clip when nothing stands out or nothing was measured; 0 when the clip is
 * no longer than the shot (it then holds its last frame).
 */
export function pickClipStart(clipSec: number, shotSec: number, activity: ClipActivity | null): number {
  const room = clipSec - shotSec;
  if (room <= 0) return 0;
  const middle = floor3(room / 2);
  const scores = activity ? activityScores(activity) : [];
  if (!activity || scores.length === 0) return middle;
  const window = Math.max(1, Math.round(shotSec / activity.stepSec));
  const lastStart = Math.min(scores.length - window, Math.floor(room / activity.stepSec));
  if (lastStart < 0) return middle;
  let sum = scores.slice(0, window).reduce((a, b) => a + b, 0);
  let best = { at: 0, sum };
  for (let start = 1; start <= lastStart; start++) {
    sum += scores[start + window - 1]! - scores[start - 1]!;
    if (sum > best.sum * 1.0001) best = { at: start, sum };
  }
  if (best.sum <= 1e-6) return middle;
  return floor3(Math.min(room, best.at * activity.stepSec));
}

/** Down to the millisecond, so the shot never reaches past the clip's end. */
const floor3 = (value: number) => Math.floor(value * 1000 + 1e-6) / 1000;
