// The project's past runs (GET …/runs, newest first): each complete one can be played, rated, shared or edited.
const STATUS = {
  complete: 'ready',
  failed: 'failed',
  cancelled: 'cancelled',
  running: 'in progress',
  queued: 'queued',
};

function button(text, onClick) {
  const node = document.createElement('button');
  node.type = 'button';
  node.className = 'secondary small';
  node.textContent = text;
  node.addEventListener('click', onClick);
  return node;
}

/** Fills `list` with one row per run; `open(runId)` plays a video or opens a plan in the editor. */
export function renderRuns(list, runs, { open }) {
  list.innerHTML = '';
  list.classList.toggle('muted', runs.length === 0);
  if (runs.length === 0) {
    list.textContent = 'None yet.';
    return;
  }
  for (const run of runs) {
    const row = document.createElement('li');
    row.dataset.runId = run.runId;
    row.dataset.status = run.status;
    const what = document.createElement('span');
    what.className = 'what';
    what.textContent = run.theme || 'Untitled';
    const when = document.createElement('span');
    when.className = 'when';
    const status = run.plan && run.status === 'complete' ? 'plan ready' : (STATUS[run.status] ?? run.status);
    when.textContent = `${new Date(run.createdAt).toLocaleString()} — ${status}`;
    what.append(when);
    row.append(what);
    if (run.status === 'complete') row.append(button(run.plan ? 'Edit plan' : 'Open', () => open(run.runId)));
    list.append(row);
  }
}
