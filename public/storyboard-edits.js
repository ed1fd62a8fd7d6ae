// Edits to a storyboard, as `POST …/runs { editOf, edits }` takes them, applied here for the editor's list and its
// live preview. Shot indices name the source storyboard's shots; `to` is a position in the order at that point.

/** The edits with `edit` added; a second change of the same thing replaces the first. */
export function addEdit(edits, edit) {
  const last = edits.at(-1);
  const same = (other) =>
    other.op === edit.op &&
    (edit.op === 'title' ||
      edit.op === 'music' ||
      (edit.op === 'narration' && other.line === edit.line) ||
      (edit.op === 'replace' && other.shot === edit.shot));
  // Moving a shot twice in a row is one move to where it ended.
  if (edit.op === 'move' && last?.op === 'move' && last.shot === edit.shot) return [...edits.slice(0, -1), edit];
  if (edit.op !== 'move' && edit.op !== 'remove') return [...edits.filter((other) => !same(other)), edit];
  return [...edits, edit];
}

/** Takes slot `position` out of the timeline: its neighbours share its time, so the video keeps its length. */
function removeSlot(slots, position) {
  const [gone] = slots.splice(position, 1);
  const previous = slots[position - 1];
  const next = slots[position];
  const middle = gone.startSec + gone.durationSec / 2;
  if (previous) {
    const overlap = Math.max(0, previous.startSec + previous.durationSec - gone.startSec);
    previous.durationSec = (next ? middle + overlap : gone.startSec + gone.durationSec) - previous.startSec;
  }
  if (next) {
    const end = next.startSec + next.durationSec;
    next.startSec = previous ? middle : gone.startSec;
    next.durationSec = end - next.startSec;
  }
}

/**
 * The storyboard with the edits applied: shots in their new order (each keeps the time slot of its position, so
 * the cuts stay on the beat), photos replaced, lines and title rewritten. Each shot carries `source`, its index in
 * the source storyboard.
 */
export function applyEdits(storyboard, edits) {
  const entries = storyboard.shots.map((shot, source) => ({ ...shot, source }));
  const slots = storyboard.shots.map(({ startSec, durationSec }) => ({ startSec, durationSec }));
  const segments = (storyboard.narration.segments ?? []).map((segment) => ({ ...segment }));
  let { title, musicStyle } = storyboard;
  for (const edit of edits) {
    const position = entries.findIndex((entry) => entry.source === edit.shot);
    if (edit.op === 'replace') entries[position] = { ...entries[position], mediaId: edit.mediaId, focus: null };
    else if (edit.op === 'remove') {
      entries.splice(position, 1);
      removeSlot(slots, position);
    } else if (edit.op === 'move') entries.splice(edit.to, 0, ...entries.splice(position, 1));
    else if (edit.op === 'narration') segments[edit.line] = { ...segments[edit.line], text: edit.text };
    else if (edit.op === 'title') title = { text: edit.text, subtitle: title?.subtitle ?? null };
    else if (edit.op === 'music') musicStyle = edit.musicStyle;
  }
  return {
    ...storyboard,
    title,
    musicStyle,
    shots: entries.map((entry, i) => ({ ...entry, ...slots[i] })),
    narration: { ...storyboard.narration, segments },
  };
}

/** An edit as a person reads it. */
export function describeEdit(edit) {
  switch (edit.op) {
    case 'replace':
      return `Shot ${edit.shot + 1}: another photo`;
    case 'remove':
      return `Shot ${edit.shot + 1} removed`;
    case 'move':
      return `Shot ${edit.shot + 1} moved to place ${edit.to + 1}`;
    case 'narration':
      return `Line ${edit.line + 1}: “${edit.text}”`;
    case 'title':
      return `Title: “${edit.text}”`;
    case 'music':
      return `Music: ${edit.musicStyle}`;
    default:
      return edit.op;
  }
}
