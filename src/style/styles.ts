/** Moods the director knows, each with a default music style and tempo. Any other label is accepted and played as the nearest. */
export const MOODS = {
  calm: { musicStyle: 'acoustic', bpm: 80, minor: false },
  happy: { musicStyle: 'pop', bpm: 112, minor: false },
  energetic: { musicStyle: 'rock', bpm: 128, minor: false },
  nostalgic: { musicStyle: 'piano', bpm: 72, minor: true },
  dramatic: { musicStyle: 'cinematic', bpm: 88, minor: true },
  romantic: { musicStyle: 'piano', bpm: 70, minor: false },
  adventurous: { musicStyle: 'electronic', bpm: 120, minor: false },
} as const;
export type KnownMood = keyof typeof MOODS;

export const MUSIC_STYLES = ['acoustic', 'piano', 'ambient', 'pop', 'rock', 'electronic', 'cinematic'] as const;
export type KnownMusicStyle = (typeof MUSIC_STYLES)[number];

export const DEFAULT_MOOD: KnownMood = 'calm';

export const isKnownMood = (mood: string): mood is KnownMood => mood in MOODS;

export function moodInfo(mood: string): (typeof MOODS)[KnownMood] {
  return isKnownMood(mood) ? MOODS[mood] : MOODS[DEFAULT_MOOD];
}

export function knownMusicStyle(style: string): KnownMusicStyle {
  return (MUSIC_STYLES as readonly string[]).includes(style) ? (style as KnownMusicStyle) : 'acoustic';
}
