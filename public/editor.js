// The storyboard editor: a plan's (or a video's) shots to reorder, remove or re-photo, its lines and title to
// rewrite, played live on a canvas; "Make it" sends the edits (POST …/runs { editOf, edits }).
import { $, api, photoUrl, projectPath, thumbnail } from './api.js';
import { createPreview } from './preview.js';
import { addEdit, applyEdits, describeEdit } from './storyboard-edits.js';

let source = null; // { runId, storyboard, links }
let edits = [];
let player = null;
// Whether the person wants the preview playing. Each change rebuilds the player (stopping the old one), so the
// player of the moment may be stopped by a rebuild; what the next one does, and the button's label, follow the wish.
let wantPlaying = false;
let building = Promise.resolve();
let onMake = () => undefined;
let picking = null; // the source index of the shot whose photo is being replaced

function button(text, label, onClick) {
  const node = document.createElement('button');
  node.type = 'button';
  node.className = 'secondary small';
  node.textContent = text;
  node.setAttribute('aria-label', label);
  node.addEventListener('click', onClick);
  return node;
}

function change(edit) {
  edits = addEdit(edits, edit);
  render();
}

/** What stands for a map shot in the list, where a photo has its thumbnail. */
function mapBadge() {
  const badge = document.createElement('span');
  badge.className = 'map-badge';
  badge.textContent = 'Map';
  return badge;
}

/** One row per shot, in the edited order: drag it, or use its buttons (touch and keyboard). */
function renderShots(storyboard) {
  const list = $('shots');
  list.innerHTML = '';
  const count = storyboard.shots.length;
  storyboard.shots.forEach((shot, position) => {
    const row = document.createElement('li');
    row.draggable = true;
    row.dataset.source = String(shot.source);
    if (shot.mediaId) row.dataset.mediaId = shot.mediaId;
    const what = document.createElement('span');
    what.className = 'what';
    const route = shot.map ? ` · Route: ${shot.map.places.map((place) => place.name).join(' → ')}` : '';
    what.textContent = `${shot.durationSec.toFixed(1)} s${shot.place ? ` · ${shot.place}` : ''}${route}`;
    const tools = document.createElement('span');
    tools.className = 'tools';
    const up = button('↑', `Move shot ${position + 1} up`, () =>
      change({ op: 'move', shot: shot.source, to: position - 1 }),
    );
    const down = button('↓', `Move shot ${position + 1} down`, () =>
      change({ op: 'move', shot: shot.source, to: position + 1 }),
    );
    up.disabled = position === 0;
    down.disabled = position === count - 1;
    const remove = button('✕', `Remove shot ${position + 1}`, () => change({ op: 'remove', shot: shot.source }));
    remove.disabled = count === 1;
    const photo = button('Photo…', `Another photo for shot ${position + 1}`, () => pickPhoto(shot.source, position));
    // A map shot draws the route: it can move or go, but no photo replaces it.
    tools.append(...(shot.mediaId ? [up, down, photo, remove] : [up, down, remove]));
    row.append(shot.mediaId ? thumbnail(shot.mediaId, `Shot ${position + 1}`) : mapBadge(), what, tools);
    row.addEventListener('dragstart', (event) => {
      event.dataTransfer.setData('text/plain', String(position));
      event.dataTransfer.effectAllowed = 'move';
      row.classList.add('dragging');
    });
    row.addEventListener('dragend', () => row.classList.remove('dragging'));
    row.addEventListener('dragover', (event) => {
      event.preventDefault();
      event.dataTransfer.dropEffect = 'move';
    });
    row.addEventListener('drop', (event) => {
      event.preventDefault();
      const from = Number(event.dataTransfer.getData('text/plain'));
      if (Number.isInteger(from) && from !== position)
        change({ op: 'move', shot: storyboard.shots[from].source, to: position });
    });
    list.append(row);
  });
}

function renderLines(storyboard) {
  const list = $('lines');
  list.innerHTML = '';
  storyboard.narration.segments.forEach((segment, line) => {
    const row = document.createElement('li');
    const input = document.createElement('input');
    input.value = segment.text;
    input.maxLength = 400;
    input.setAttribute('aria-label', `Narration line ${line + 1}, at ${segment.startSec.toFixed(1)} s`);
    input.addEventListener('change', () => {
      const text = input.value.trim();
      if (text) change({ op: 'narration', line, text });
    });
    row.append(input);
    list.append(row);
  });
  $('lines-none').hidden = storyboard.narration.segments.length > 0;
}

function renderEdits() {
  const list = $('edits');
  list.innerHTML = '';
  for (const edit of edits) {
    const row = document.createElement('li');
    row.dataset.edit = JSON.stringify(edit);
    row.textContent = describeEdit(edit);
    list.append(row);
  }
  $('edits-summary').textContent =
    edits.length === 0 ? 'No changes yet: "Make it" renders the plan as it is.' : `${edits.length} change(s):`;
}

/** Redraws the lists and rebuilds the live preview from the edited storyboard. */
function render() {
  const storyboard = applyEdits(source.storyboard, edits);
  renderShots(storyboard);
  renderLines(storyboard);
  renderEdits();
  if (document.activeElement !== $('edit-title')) $('edit-title').value = storyboard.title?.text ?? '';
  $('edit-music').value = storyboard.musicStyle;
  $('music-note').hidden = storyboard.musicStyle === source.storyboard.musicStyle;
  building = building.then(() => rebuild(storyboard));
  return building;
}

function wish(playing) {
  wantPlaying = playing;
  $('play').textContent = playing ? 'Pause' : 'Play';
}

async function rebuild(storyboard) {
  player?.stop();
  player = await createPreview({
    canvas: $('stage'),
    storyboard,
    photoUrl,
    voice: $('voice-audio'),
    music: $('music-audio'),
    onTime: (t) => ($('stage-time').textContent = `${t.toFixed(1)} s`),
    onEnded: () => wish(false),
  });
  if (wantPlaying) await player.play();
}

async function pickPhoto(shot, position) {
  picking = shot;
  $('picker-shot').textContent = String(position + 1);
  const { media } = await api('GET', projectPath('/media'));
  const box = $('picker-photos');
  box.innerHTML = '';
  for (const item of media) {
    const choice = document.createElement('button');
    choice.type = 'button';
    choice.className = 'photo-choice';
    choice.dataset.mediaId = item.mediaId;
    choice.append(thumbnail(item.mediaId, item.filename));
    choice.addEventListener('click', () => {
      $('picker').hidden = true;
      change({ op: 'replace', shot: picking, mediaId: item.mediaId });
    });
    box.append(choice);
  }
  $('picker').hidden = false;
}

/** Opens a planned or complete run in the editor, and plays its plan at once. */
export async function openEditor(state, links) {
  source = { runId: state.runId, storyboard: state.storyboard, links };
  edits = [];
  wish(true);
  $('editor').hidden = false;
  $('picker').hidden = true;
  const voice = $('voice-audio');
  const music = $('music-audio');
  // A run without narration has no voice track: the element stays silent rather than reporting a load error.
  if (state.outputs?.voice) voice.src = links.voice;
  else voice.removeAttribute('src');
  music.src = links.music;
  $('editor-status').textContent =
    `${state.outputs?.plan ? 'A plan' : 'A video'} of ${state.storyboard.shots.length} shots, ` +
    `${state.storyboard.durationSec} s: change it, watch the preview, then make it.`;
  await render();
  $('editor').scrollIntoView({ block: 'start' });
}

async function togglePlay() {
  wish(!wantPlaying);
  await building;
  if (!wantPlaying) player.stop();
  else if (!player.isPlaying()) await player.play();
}

/** Renders the edited plan: its edits on the source run, or (no edits) the storyboard as it is. */
function makeIt() {
  const body = edits.length > 0 ? { editOf: source.runId, edits } : { storyboardFrom: source.runId };
  wish(false);
  player?.stop();
  return onMake(body);
}

/** Wires the editor's controls; `make(body)` starts a run and follows it. */
export function setUpEditor({ make, showError }) {
  onMake = make;
  // The same styles the run form offers, less its "to suit the mood".
  for (const option of $('music-style').options) if (option.value) $('edit-music').append(option.cloneNode(true));
  const failSafe = (task) => () => task().catch(showError);
  $('play').addEventListener('click', failSafe(togglePlay));
  $('make-edit').addEventListener('click', failSafe(makeIt));
  $('reset-edits').addEventListener('click', () => {
    edits = [];
    render().catch(showError);
  });
  $('picker-cancel').addEventListener('click', () => ($('picker').hidden = true));
  $('edit-title').addEventListener('change', () => {
    const text = $('edit-title').value.trim();
    if (text) change({ op: 'title', text });
  });
  $('edit-music').addEventListener('change', () => change({ op: 'music', musicStyle: $('edit-music').value }));
}
