// SirTrav web page: plain ES modules, no build step. Talks to the same API as the typed client.
import { $, api, projectPath, session, store, thumbnail } from './api.js';
import { openEditor, setUpEditor } from './editor.js';
import { renderFailureResults, renderOperations } from './operations.js';
import { renderRuns } from './runs.js';

const AGENTS = ['director', 'voice', 'music', 'compose'];
const DIRECT_LIMIT = 4 * 1024 * 1024;
/** Thumbnails shown of the project's photos; the count says how many more there are. */
const THUMBNAILS = 48;
let current = null; // { runId, links, preview, state }

function showError(error) {
  const box = $('error');
  box.textContent = error ? String(error.message || error) : '';
  box.hidden = !error;
}

async function ensureProject() {
  const saved = store.project;
  // A new token clears the saved project (see the token form), so a saved one belongs to the current token.
  if (saved) {
    try {
      await api('GET', `/api/projects/${encodeURIComponent(saved.projectId)}/media`, { token: saved.token });
      session.project = saved;
      return;
    } catch (error) {
      if (![401, 403, 404].includes(error.status)) throw error;
    }
  }
  const token = store.token;
  if (session.authMode === 'enabled' && token.startsWith('stp.')) {
    session.project = { projectId: token.split('.')[1], token };
  } else {
    const created = await api('POST', '/api/projects', { json: { name: 'My photos' }, token });
    session.project = { projectId: created.projectId, token: created.token };
  }
  store.project = session.project;
}

async function uploadFile(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes.byteLength <= DIRECT_LIMIT) {
    return (
      await api('POST', projectPath('/media'), {
        body: bytes,
        headers: { 'content-type': 'application/octet-stream', 'x-filename': encodeURIComponent(file.name) },
      })
    ).media[0];
  }
  const upload = await api('POST', projectPath('/uploads'), {
    json: { filename: file.name.slice(0, 255), bytes: bytes.byteLength },
  });
  const parts = [...Array(upload.partCount).keys()];
  const send = async () => {
    for (let n = parts.shift(); n !== undefined; n = parts.shift()) {
      await api('PUT', projectPath(`/uploads/${upload.uploadId}/parts/${n}`), {
        body: bytes.subarray(n * upload.partSize, (n + 1) * upload.partSize),
        headers: { 'content-type': 'application/octet-stream' },
      });
    }
  };
  await Promise.all([send(), send(), send()]);
  return (await api('POST', projectPath(`/uploads/${upload.uploadId}/complete`))).media;
}

async function addFiles(files) {
  showError(null);
  for (const file of files) {
    $('photo-count').textContent = `Uploading ${file.name}…`;
    try {
      await uploadFile(file);
    } catch (error) {
      showError(`${file.name}: ${error.message}`);
    }
  }
  await refreshPhotos();
}

async function refreshPhotos() {
  const { media } = await api('GET', projectPath('/media'));
  const photos = media.length;
  $('photo-count').textContent = photos === 0 ? 'No photos yet.' : `${photos} photo${photos === 1 ? '' : 's'} ready.`;
  for (const id of ['make', 'preview', 'plan']) $(id).disabled = photos === 0;
  showThumbnails(media);
}

/** The project's latest photos, from their previews (which show HEIC too, where the browser cannot). */
function showThumbnails(media) {
  const box = $('thumbs');
  box.innerHTML = '';
  for (const item of media.slice(-THUMBNAILS).reverse()) box.append(thumbnail(item.mediaId, item.filename));
}

function setAgent(agent, fraction, text) {
  const row = document.querySelector(`.agent[data-agent="${agent}"]`);
  if (!row) return;
  row.querySelector('progress').value = fraction;
  row.querySelector('em').textContent = text;
}

function follow(links) {
  const agents = Object.fromEntries(AGENTS.map((agent) => [agent, 0]));
  const source = new EventSource(links.progress);
  source.addEventListener('progress', (message) => {
    const event = JSON.parse(message.data);
    if (AGENTS.includes(event.agent)) {
      const fraction = ['completed', 'reused'].includes(event.status)
        ? 1
        : typeof event.data?.fraction === 'number'
          ? event.data.fraction
          : agents[event.agent];
      agents[event.agent] = fraction;
      setAgent(event.agent, fraction, event.message || event.status);
    }
    $('run-status').textContent = `${Math.round(event.progress * 100)}% — ${event.agent} ${event.status}`;
  });
  source.addEventListener('done', (message) => {
    source.close();
    finished(JSON.parse(message.data), links);
    refreshRuns().catch(showError);
  });
}

function finished(state, links) {
  setMaking(false);
  if (state.status !== 'complete') {
    $('run-status').textContent = `Run ${state.status}${state.error ? `: ${state.error.message}` : ''}`;
    return;
  }
  current.state = state;
  if (state.outputs.plan) {
    // A plan has no video: it opens in the editor and plays there at once.
    $('run-status').textContent = 'Plan ready.';
    $('editor').dataset.planReadyAt = String(Date.now());
    openEditor(state, links).catch(showError);
    return;
  }
  $('run-status').textContent = 'Done.';
  showVideo(state, links);
}

/** A complete run in the player, with its story, share and rating. */
function showVideo(state, links) {
  $('result').hidden = false;
  const video = $('video');
  video.src = links.video;
  showCaptions(video, links.captions);
  resetShare();
  const story = state.storyboard;
  const reason = story.choice.reason.charAt(0).toUpperCase() + story.choice.reason.slice(1);
  $('story').textContent =
    `“${story.theme}” — ${story.shots.length} shots, ${story.aspect}, ${story.mood} with ${story.musicStyle} music. ${reason}.`;
  $('rated').textContent = '';
  // A draft's storyboard can be made in full, unchanged.
  $('draft').hidden = !current.preview;
}

/** The narration as captions on the player (a signed link: a <track> cannot send the token). */
function showCaptions(video, src) {
  video.querySelectorAll('track').forEach((track) => track.remove());
  if (!src) return;
  const track = document.createElement('track');
  Object.assign(track, { kind: 'captions', src, srclang: 'en', label: 'Captions', default: true });
  video.append(track);
  // `default` picks a track only while the element loads its first source; this one may come later.
  track.track.mode = 'showing';
}

function resetShare() {
  $('share').disabled = false;
  $('share-link').hidden = true;
  $('shared').textContent = '';
}

/** Makes a public page for the video and copies its link; the link is shown too, in case the clipboard is refused. */
async function share() {
  $('share').disabled = true;
  try {
    const { url, expiresAt } = await api('POST', projectPath(`/runs/${current.runId}/share`), { json: {} });
    const link = $('share-link');
    link.href = url;
    link.textContent = url;
    link.hidden = false;
    const until = new Date(expiresAt).toLocaleDateString();
    try {
      await navigator.clipboard.writeText(url);
      $('shared').textContent = `Link copied; it works until ${until}.`;
    } catch {
      $('shared').textContent = `Copy this link; it works until ${until}.`;
    }
  } catch (error) {
    showError(error);
  } finally {
    $('share').disabled = false;
  }
}

/** Starts a run with `body` and follows it; the buttons wait until it ends. */
export async function startRun(body) {
  showError(null);
  setMaking(true);
  $('result').hidden = true;
  $('progress').hidden = false;
  AGENTS.forEach((agent) => setAgent(agent, 0, 'waiting'));
  // A plan stops before compose.
  document.querySelector('.agent[data-agent="compose"]').hidden = Boolean(body.planOnly);
  try {
    current = await api('POST', projectPath('/runs'), {
      json: body,
      headers: { 'idempotency-key': crypto.randomUUID() },
    });
    current.preview = Boolean(body.preview);
    $('run-status').textContent = 'Queued…';
    $('progress').scrollIntoView({ block: 'nearest' });
    follow(current.links);
  } catch (error) {
    setMaking(false);
    showError(error);
  }
}

function setMaking(making) {
  for (const id of ['make', 'preview', 'plan', 'make-full']) $(id).disabled = making;
}

/** The form's options as a start-run body; only what was chosen is sent, the rest is the server's default. */
function runOptions() {
  const body = {
    resolution: $('resolution').value,
    aspect: $('aspect').value,
    narration: $('narration').checked,
    captions: $('captions').checked,
  };
  const theme = $('theme').value.trim();
  if (theme) body.theme = theme;
  if ($('duration').value) body.durationSec = Number($('duration').value);
  if ($('mood').value) body.mood = $('mood').value;
  if ($('music-style').value) body.musicStyle = $('music-style').value;
  if ($('language').value) body.language = $('language').value;
  const titleMode = $('title-mode').value;
  const titleText = $('title-text').value.trim();
  if (titleMode === 'off') body.title = false;
  else if (titleMode === 'custom' && titleText) body.title = titleText;
  return body;
}

/** The form's run: the whole video, a fast 360p draft of the same storyboard, or only its plan to edit first. */
function makeVideo(event, mode = 'video') {
  event.preventDefault();
  const body = runOptions();
  if (mode === 'preview') body.preview = true;
  if (mode === 'plan') body.planOnly = true;
  return startRun(body);
}

async function rate(rating) {
  try {
    await api('POST', projectPath(`/runs/${current.runId}/evaluation`), { json: { rating } });
    $('rated').textContent =
      rating === 'good' ? 'Thanks! Glad you liked it.' : 'Thanks! SirTrav will try something else.';
    await showMemory();
    await refreshRuns();
  } catch (error) {
    showError(error);
  }
}

async function showMemory() {
  const memory = await api('GET', projectPath('/memory'));
  const box = $('memory');
  const combos = memory.learned_patterns.successfulCombinations;
  if (combos.length === 0) {
    box.textContent = 'Nothing yet: rate a video.';
    return;
  }
  const prefs = memory.user_preferences;
  box.classList.remove('muted');
  box.innerHTML = '';
  const summary = document.createElement('p');
  summary.textContent = `Favourite moods: ${prefs.favorite_moods.join(', ') || 'not sure yet'}. Preferred length: ${prefs.preferred_duration} s. Avoids: ${prefs.disliked_music_styles.join(', ') || 'nothing'}.`;
  const table = document.createElement('table');
  table.innerHTML = '<tr><th>Mood + music</th><th>Liked</th><th>Ratings</th></tr>';
  for (const combo of combos) {
    const row = table.insertRow();
    row.insertCell().textContent = `${combo.mood} + ${combo.musicStyle}`;
    row.insertCell().textContent = `${Math.round(combo.successRate * 100)}%`;
    row.insertCell().textContent = String(combo.ratings);
  }
  box.append(summary, table);
}

/** The project's runs, newest first, each to play, rate, share or edit. */
async function refreshRuns() {
  const { runs } = await api('GET', projectPath('/runs'));
  renderRuns($('runs'), runs, { open: (runId) => openRun(runId).catch(showError) });
}

/** A past run in the player (or, for a plan, the editor), as if it had just finished. */
async function openRun(runId) {
  const state = await api('GET', projectPath(`/runs/${encodeURIComponent(runId)}`));
  current = { runId, links: state.links, preview: state.storyboard?.fps === 15, state };
  if (state.status !== 'complete') return;
  if (state.outputs.plan) return openEditor(state, state.links);
  showVideo(state, state.links);
  $('result').scrollIntoView({ block: 'nearest' });
}

/** The admin token (or local mode, where everything is open) sees the Operations view. */
const isAdmin = () => session.authMode !== 'enabled' || (store.token !== '' && !store.token.startsWith('stp.'));

async function showOperations() {
  renderOperations($('operations'), await api('GET', '/api/admin/stats', { token: store.token }));
}

/** The person's own videos and the site's operations are two tabs: one shows at a time. */
function selectTab(tab) {
  $('mine').hidden = tab !== 'mine';
  $('operations').hidden = tab !== 'operations';
  $('tab-mine').setAttribute('aria-selected', String(tab === 'mine'));
  $('tab-operations').setAttribute('aria-selected', String(tab === 'operations'));
  if (tab === 'operations') showOperations().catch(showError);
}

async function searchFailures(event) {
  event.preventDefault();
  try {
    const query = new URLSearchParams({ q: $('ops-q').value, limit: '10' });
    renderFailureResults($('ops-results'), await api('GET', `/api/admin/failures?${query}`, { token: store.token }));
  } catch (error) {
    showError(error);
  }
}

async function start() {
  try {
    const health = await fetch('/api/health').then((r) => r.json());
    if (health.error) throw new Error(health.error.message);
    session.authMode = health.auth;
    $('service').textContent =
      `Connected — version ${health.version}, ${health.auth === 'enabled' ? 'sign-in required' : 'local mode (no sign-in)'}` +
      (health.details
        ? `, voice: ${health.details.providers.voice}, director: ${health.details.providers.director}.`
        : '.');
    if (session.authMode === 'enabled' && !store.token) {
      $('auth').hidden = false;
      return;
    }
    await ensureProject();
    $('auth').hidden = true;
    $('app').hidden = false;
    $('tabs').hidden = false;
    $('tab-operations').hidden = !isAdmin();
    await refreshPhotos();
    await showMemory();
    await refreshRuns();
  } catch (error) {
    if (error.status === 401 || error.status === 403) {
      $('auth').hidden = false;
      showError('That token was not accepted.');
      return;
    }
    showError(error);
  }
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  store.token = $('token').value.trim();
  localStorage.removeItem('sirtrav.project');
  start();
});
$('file-input').addEventListener('change', (event) => addFiles([...event.target.files]));
const drop = $('drop');
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  addFiles([...event.dataTransfer.files]);
});
$('title-mode').addEventListener('change', () => {
  $('title-text-label').hidden = $('title-mode').value !== 'custom';
});
$('run-form').addEventListener('submit', (event) => makeVideo(event));
$('preview').addEventListener('click', (event) => makeVideo(event, 'preview'));
$('plan').addEventListener('click', (event) => makeVideo(event, 'plan'));
$('make-full').addEventListener('click', () => startRun({ storyboardFrom: current.runId }));
$('share').addEventListener('click', share);
$('edit').addEventListener('click', () => openEditor(current.state, current.links).catch(showError));
setUpEditor({ make: startRun, showError });
$('rate-good').addEventListener('click', () => rate('good'));
$('rate-bad').addEventListener('click', () => rate('bad'));
$('runs-refresh').addEventListener('click', () => refreshRuns().catch(showError));
$('tab-mine').addEventListener('click', () => selectTab('mine'));
$('tab-operations').addEventListener('click', () => selectTab('operations'));
$('ops-refresh').addEventListener('click', () => showOperations().catch(showError));
$('ops-search').addEventListener('submit', searchFailures);
start();
