import type { StartRunBody } from '../schemas/run.js';
import type { StyleChoice } from '../pipeline/agents/director/plan.js';
import { DEFAULT_MOOD, moodInfo } from '../pipeline/styles.js';

/**
 * Mood and music for a run: what the request says always wins; what it leaves
 * open comes from the defaults.
 */
export function chooseStyle(request: StartRunBody): StyleChoice {
  const mood = request.mood ?? DEFAULT_MOOD;
  const musicStyle = request.musicStyle ?? moodInfo(mood).musicStyle;
  const fromRequest = request.mood !== undefined || request.musicStyle !== undefined;
  return {
    mood,
    musicStyle,
    source: fromRequest ? 'request' : 'default',
    reason: fromRequest ? 'chosen in the request' : 'no preference known yet: the default mood and its usual music',
  };
}
