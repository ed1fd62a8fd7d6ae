const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Words a narrator says per second, unhurried. */
const WORDS_PER_SECOND = 2.3;

interface SceneFacts {
  startedAt: string | null;
  place: string | null;
}

/** "Sunday, 14 July 2024", read from the date as written (never shifted by a time zone). */
export function spokenDate(takenAt: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(takenAt);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return `${WEEKDAYS[weekday]}, ${day} ${MONTHS[month - 1]} ${year}`;
}

function daysBetween(a: string, b: string): number {
  const day = (s: string) => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10)));
  return Math.round((day(b) - day(a)) / 86_400_000);
}

function sceneSentence(scene: SceneFacts, previous: SceneFacts | null, index: number): string | null {
  const where = scene.place ? ` in ${scene.place}` : '';
  if (index === 0) {
    const date = scene.startedAt ? spokenDate(scene.startedAt) : null;
    if (date) return `It began on ${date}${where}.`;
    return scene.place ? `It began in ${scene.place}.` : null;
  }
  if (scene.startedAt && previous?.startedAt) {
    const days = daysBetween(previous.startedAt, scene.startedAt);
    if (days === 0) return `Later that day${where}.`;
    if (days === 1) return `The next day${where}.`;
    if (days > 1 && days < 14) return `${days} days later${where}.`;
  }
  return scene.place && scene.place !== previous?.place ? `Then on to ${scene.place}.` : null;
}

/** "The next day." said k times in a row becomes "Over the next k days." */
function collapseRepeats(sentences: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < sentences.length; ) {
    let run = 1;
    while (sentences[i + run] === sentences[i]) run++;
    const sentence = sentences[i]!;
    out.push(run > 1 && sentence.startsWith('The next day') ? sentence.replace('The next day', `Over the next ${run} days`) : sentence);
    i += run;
  }
  return out;
}

/** A short script from the scenes, trimmed to what can be said calmly in the video's length. */
export function writeNarration({ theme, scenes, durationSec, hasExplicitTheme }: { theme: string; scenes: SceneFacts[]; durationSec: number; hasExplicitTheme: boolean }): string {
  const opening = hasExplicitTheme ? `${theme}.` : `A few moments from ${theme}.`;
  const middle = collapseRepeats(scenes.map((scene, i) => sceneSentence(scene, scenes[i - 1] ?? null, i)).filter((s): s is string => s !== null));
  const closing = 'These are the moments we keep.';
  const budget = Math.max(4, Math.floor((durationSec - 1.5) * WORDS_PER_SECOND));
  const words = (parts: string[]) => parts.join(' ').split(/\s+/).length;
  let parts = [opening, ...middle, closing];
  // Drop the latest scene sentences first, then the closing line.
  while (words(parts) > budget && parts.length > 2) parts.splice(parts.length - 2, 1);
  if (words(parts) > budget) parts = [opening];
  const text = parts.join(' ');
  const allWords = text.split(/\s+/);
  return allWords.length > budget ? `${allWords.slice(0, budget).join(' ').replace(/[,.;:]?$/, '')}.` : text;
}
