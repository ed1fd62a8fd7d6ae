// SirTrav web page: plain ES module, no build step. Talks to the same API as the typed client.
import { renderFailureResults, renderOperations } from './operations.js';

const $ = (id) => document.getElementById(id);
const AGENTS = ['director', 'voice', 'music', 'compose'];
const DIRECT_LIMIT = 4 * 1024 * 1024;
const store = {
  get token() {
    return localStorage.getItem('sirtrav.token') || '';
  },
  set token(value) {
    localStorage.setItem('sirtrav.token', value);
  },
  get project() {
    try {
      return JSON.parse(localStorage.getItem('sirtrav.project') || 'null');
    } catch {
      return null;
    }
  },
  set project(value) {
    localStorage.setItem('sirtrav.project', JSON.stringify(value));
  },
};
let authMode = 'disabled';
let project = null; // { projectId, token }
let photos = 0;
let current = null; // { runId, links }

function showError(error) {
  const box = $('error');
  box.textContent = error ? String(error.message || error) : '';
  box.hidden = !error;
}

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
  }
}

async function api(method, path, { json, body, headers = {}, token = project?.token } = {}) {
  const init = { method, headers: { ...headers } };
  if (token && authMode === 'enabled') init.headers.authorization = `Bearer ${token}`;
  if (json !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(json);
  } else if (body !== undefined) init.body = body;
  const response = await fetch(path, init);
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  return response.status === 204 ? null : response.json();
}

const projectPath = (suffix) => `/api/projects/${encodeURIComponent(project.projectId)}${suffix}`;

async function ensureProject() {
  const saved = store.project;
  // A new token clears the saved project (see the token form), so a saved one belongs to the current token.
  if (saved) {
    try {
      await api('GET', `/api/projects/${encodeURIComponent(saved.projectId)}/media`, { token: saved.token });
      project = saved;
      return;
    } catch (error) {
      if (![401, 403, 404].includes(error.status)) throw error;
    }
  }
  const token = store.token;
  if (authMode === 'enabled' && token.startsWith('stp.')) {
    project = { projectId: token.split('.')[1], token };
  } else {
    const created = await api('POST', '/api/projects', { json: { name: 'My photos' }, token });
    project = { projectId: created.projectId, token: created.token };
  }
  store.project = project;
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
  const session = await api('POST', projectPath('/uploads'), {
    json: { filename: file.name.slice(0, 255), bytes: bytes.byteLength },
  });
  const parts = [...Array(session.partCount).keys()];
  const send = async () => {
    for (let n = parts.shift(); n !== undefined; n = parts.shift()) {
      await api('PUT', projectPath(`/uploads/${session.uploadId}/parts/${n}`), {
        body: bytes.subarray(n * session.partSize, (n + 1) * session.partSize),
        headers: { 'content-type': 'application/octet-stream' },
      });
    }
  };
  await Promise.all([send(), send(), send()]);
  return (await api('POST', projectPath(`/uploads/${session.uploadId}/complete`))).media;
}

async function addFiles(files) {
  showError(null);
  for (const file of files) {
    $('photo-count').textContent = `Uploading ${file.name}…`;
    try {
      await uploadFile(file);
      const img = document.createElement('img');
      img.alt = file.name;
      img.src = URL.createObjectURL(file);
      $('thumbs').append(img);
    } catch (error) {
      showError(`${file.name}: ${error.message}`);
    }
  }
  await refreshPhotos();
}

async function refreshPhotos() {
  const { media } = await api('GET', projectPath('/media'));
  photos = media.length;
  $('photo-count').textContent = photos === 0 ? 'No photos yet.' : `${photos} photo${photos === 1 ? '' : 's'} ready.`;
  $('make').disabled = photos === 0;
  $('preview').disabled = photos === 0;
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
  });
}

function finished(state, links) {
  setMaking(false);
  if (state.status !== 'complete') {
    $('run-status').textContent = `Run ${state.status}${state.error ? `: ${state.error.message}` : ''}`;
    return;
  }
  $('run-status').textContent = 'Done.';
  $('result').hidden = false;
  const video = $('video');
  video.src = links.video;
  showCaptions(video, links.captions);
  resetShare();
  const story = state.storyboard;
  const reason = story.choice.reason.charAt(0).toUpperCase() + story.choice.reason.slice(1);
  $('story').textContent =
    `“${story.theme}” — ${story.shots.length} shots, ${story.mood} with ${story.musicStyle} music. ${reason}.`;
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
async function startRun(body) {
  showError(null);
  setMaking(true);
  $('result').hidden = true;
  $('progress').hidden = false;
  AGENTS.forEach((agent) => setAgent(agent, 0, 'waiting'));
  try {
    current = await api('POST', projectPath('/runs'), {
      json: body,
      headers: { 'idempotency-key': crypto.randomUUID() },
    });
    current.preview = Boolean(body.preview);
    $('run-status').textContent = 'Queued…';
    follow(current.links);
  } catch (error) {
    setMaking(false);
    showError(error);
  }
}

function setMaking(making) {
  $('make').disabled = making;
  $('preview').disabled = making;
  $('make-full').disabled = making;
}

/** The form's run: the whole video, or (`preview`) a fast 360p draft of the same storyboard first. */
function makeVideo(event, preview = false) {
  event.preventDefault();
  const body = { resolution: $('resolution').value, narration: $('narration').checked };
  if ($('theme').value.trim()) body.theme = $('theme').value.trim();
  if ($('duration').value) body.durationSec = Number($('duration').value);
  if ($('mood').value) body.mood = $('mood').value;
  if ($('language').value !== 'en') body.language = $('language').value;
  if (preview) body.preview = true;
  return startRun(body);
}

async function rate(rating) {
  try {
    await api('POST', projectPath(`/runs/${current.runId}/evaluation`), { json: { rating } });
    $('rated').textContent =
      rating === 'good' ? 'Thanks! Glad you liked it.' : 'Thanks! SirTrav will try something else.';
    await showMemory();
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

/** The admin token (or local mode, where everything is open) sees the Operations view. */
const isAdmin = () => authMode !== 'enabled' || (store.token !== '' && !store.token.startsWith('stp.'));

async function showOperations() {
  $('operations').hidden = false;
  renderOperations($('operations'), await api('GET', '/api/admin/stats', { token: store.token }));
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
    authMode = health.auth;
    $('service').textContent =
      `Connected — version ${health.version}, ${health.auth === 'enabled' ? 'sign-in required' : 'local mode (no sign-in)'}` +
      (health.details
        ? `, voice: ${health.details.providers.voice}, director: ${health.details.providers.director}.`
        : '.');
    if (authMode === 'enabled' && !store.token) {
      $('auth').hidden = false;
      return;
    }
    await ensureProject();
    $('auth').hidden = true;
    $('app').hidden = false;
    await refreshPhotos();
    await showMemory();
    if (isAdmin()) await showOperations();
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
$('run-form').addEventListener('submit', (event) => makeVideo(event));
$('preview').addEventListener('click', (event) => makeVideo(event, true));
$('make-full').addEventListener('click', () => startRun({ storyboardFrom: current.runId }));
$('share').addEventListener('click', share);
$('rate-good').addEventListener('click', () => rate('good'));
$('rate-bad').addEventListener('click', () => rate('bad'));
$('ops-refresh').addEventListener('click', () => showOperations().catch(showError));
$('ops-search').addEventListener('submit', searchFailures);
start();
