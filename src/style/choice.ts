import type { Storyboard } from '../schemas/run.js';

/** The mood and music a run gets, where they came from, and why. */
export interface StyleChoice {
  mood: string;
  musicStyle: string;
  source: Storyboard['choice']['source'];
  reason: string;
  durationSec?: number;
}
