// Operations view: the admin's figures from GET /api/admin/stats, drawn as small inline SVG charts.
const SVG = 'http://www.w3.org/2000/svg';
const STATUS_COLOURS = {
  complete: '#3a9d5d',
  failed: '#c2453d',
  cancelled: '#9a93a8',
  running: '#e07a2f',
  queued: '#d9b44a',
};
const PALETTE = ['#c2453d', '#e07a2f', '#d9b44a', '#3a9d5d', '#3d7fc2', '#7a5cc2', '#9a93a8'];

function el(name, attributes = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function chart(width, height, label) {
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, class: 'chart' });
  svg.append(el('title', {}, label));
  return svg;
}

const fmtBytes = (bytes) =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 ** 2
      ? `${(bytes / 1024).toFixed(1)} KiB`
      : bytes < 1024 ** 3
        ? `${(bytes / 1024 ** 2).toFixed(1)} MiB`
        : `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
const fmtMs = (ms) => (ms === null ? '–' : ms < 10 ? ms.toFixed(1) : String(Math.round(ms)));

/** p50 and p95 of every request, hour by hour over the last 24 hours. */
export function latencyChart(series) {
  const width = 520;
  const height = 180;
  const pad = { left: 44, right: 10, top: 12, bottom: 24 };
  const svg = chart(width, height, 'Request latency over the last 24 hours (p50 and p95, ms)');
  const max = Math.max(1, ...series.map((point) => point.p95Ms ?? 0));
  const x = (i) => pad.left + (i * (width - pad.left - pad.right)) / Math.max(1, series.length - 1);
  const y = (ms) => height - pad.bottom - (ms / max) * (height - pad.top - pad.bottom);
  svg.append(
    el('line', {
      x1: pad.left,
      y1: height - pad.bottom,
      x2: width - pad.right,
      y2: height - pad.bottom,
      class: 'axis',
    }),
  );
  svg.append(
    el('text', { x: pad.left - 6, y: pad.top + 4, 'text-anchor': 'end', class: 'tick' }, `${Math.round(max)}`),
  );
  svg.append(el('text', { x: pad.left - 6, y: height - pad.bottom, 'text-anchor': 'end', class: 'tick' }, '0'));
  svg.append(el('text', { x: pad.left, y: height - 6, class: 'tick' }, `${series[0]?.hour.slice(11) ?? ''}:00`));
  svg.append(el('text', { x: width - pad.right, y: height - 6, 'text-anchor': 'end', class: 'tick' }, 'now'));
  for (const [key, cls] of [
    ['p95Ms', 'line-p95'],
    ['p50Ms', 'line-p50'],
  ]) {
    const points = series
      .map((point, i) => (point[key] === null ? null : `${x(i).toFixed(1)},${y(point[key]).toFixed(1)}`))
      .filter(Boolean);
    if (points.length > 0) svg.append(el('polyline', { points: points.join(' '), class: cls, 'data-series': key }));
    for (const [i, point] of series.entries())
      if (point[key] !== null) svg.append(el('circle', { cx: x(i), cy: y(point[key]), r: 2.5, class: cls }));
  }
  return svg;
}

/** Runs created each of the last 7 days, stacked by status. */
export function runsChart(days) {
  const width = 520;
  const height = 180;
  const pad = { left: 30, right: 10, top: 12, bottom: 24 };
  const svg = chart(width, height, 'Runs per day over the last 7 days, by status');
  const totals = days.map((day) => Object.values(day.runs).reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...totals);
  const slot = (width - pad.left - pad.right) / days.length;
  svg.append(el('text', { x: pad.left - 6, y: pad.top + 4, 'text-anchor': 'end', class: 'tick' }, String(max)));
  days.forEach((day, i) => {
    let top = height - pad.bottom;
    for (const [status, count] of Object.entries(day.runs)) {
      if (count === 0) continue;
      const h = (count / max) * (height - pad.top - pad.bottom);
      top -= h;
      const bar = el('rect', {
        x: pad.left + i * slot + slot * 0.15,
        y: top,
        width: slot * 0.7,
        height: h,
        fill: STATUS_COLOURS[status] ?? '#888',
        'data-status': status,
        'data-count': count,
      });
      bar.append(el('title', {}, `${day.day}: ${count} ${status}`));
      svg.append(bar);
    }
    svg.append(
      el(
        'text',
        { x: pad.left + i * slot + slot / 2, y: height - 6, 'text-anchor': 'middle', class: 'tick' },
        day.day.slice(5),
      ),
    );
  });
  return svg;
}

/** Failure episodes by error class, largest first. */
export function failuresChart(failures) {
  const entries = Object.entries(failures).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const width = 520;
  const row = 24;
  const height = Math.max(1, entries.length) * row + 8;
  const svg = chart(width, height, 'Failures by error class');
  const max = Math.max(1, ...entries.map(([, count]) => count));
  entries.forEach(([errorClass, count], i) => {
    const w = (count / max) * (width - 180);
    svg.append(el('text', { x: 110, y: i * row + 17, 'text-anchor': 'end', class: 'label' }, errorClass));
    svg.append(
      el('rect', {
        x: 118,
        y: i * row + 4,
        width: Math.max(2, w),
        height: row - 8,
        fill: PALETTE[i % PALETTE.length],
        'data-class': errorClass,
        'data-count': count,
      }),
    );
    svg.append(el('text', { x: 124 + w, y: i * row + 17, class: 'label' }, String(count)));
  });
  if (entries.length === 0) svg.append(el('text', { x: 10, y: 20, class: 'label' }, 'No failures recorded.'));
  return svg;
}

function table(headers, rows) {
  const node = document.createElement('table');
  node.className = 'figures';
  const head = node.createTHead().insertRow();
  for (const header of headers) head.append(Object.assign(document.createElement('th'), { textContent: header }));
  const body = node.createTBody();
  for (const cells of rows) {
    const tr = body.insertRow();
    for (const cell of cells) tr.insertCell().textContent = cell;
  }
  return node;
}

/** Fills the Operations section from a stats answer. */
export function renderOperations(root, stats) {
  root.querySelector('#ops-latency').replaceChildren(latencyChart(stats.series.latency));
  root.querySelector('#ops-runs').replaceChildren(runsChart(stats.series.runsPerDay));
  root.querySelector('#ops-failures').replaceChildren(failuresChart(stats.failures));
  const hitRate =
    stats.cache.hits + stats.cache.misses === 0
      ? 'no lookups yet'
      : `${Math.round(stats.cache.hitRate * 100)}% (${stats.cache.hits} hits, ${stats.cache.misses} misses)`;
  root.querySelector('#ops-summary').textContent = `Media cache hit rate: ${hitRate}. Runs last 24 h: ${
    Object.entries(stats.runWindows.last24h)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ') || 'none'
  }. Computed in ${stats.computeMs} ms.`;
  root.querySelector('#ops-stores').replaceChildren(
    table(
      ['Store', 'Blobs', 'Size'],
      Object.entries(stats.stores).map(([store, s]) => [store, String(s.blobs), fmtBytes(s.bytes)]),
    ),
  );
  root.querySelector('#ops-agents').replaceChildren(
    table(
      ['Agent', 'p50 ms', 'p95 ms', 'p99 ms', 'Count'],
      Object.entries(stats.agents).map(([agent, a]) => [
        agent,
        fmtMs(a.p50Ms),
        fmtMs(a.p95Ms),
        fmtMs(a.p99Ms),
        String(a.count),
      ]),
    ),
  );
  const routes = Object.entries(stats.routes)
    .sort((a, b) => b[1].count - a[1].count)
    .slice(0, 12);
  root.querySelector('#ops-routes').replaceChildren(
    table(
      ['Route', 'p50 ms', 'p95 ms', 'p99 ms', 'Requests', '5xx'],
      routes.map(([route, r]) => [
        route,
        fmtMs(r.p50Ms),
        fmtMs(r.p95Ms),
        fmtMs(r.p99Ms),
        String(r.count),
        `${(r.errorRate * 100).toFixed(1)}%`,
      ]),
    ),
  );
}

/** Shows similar failures for a query, each with its reflection and best-known resolution. */
export function renderFailureResults(box, answer) {
  box.replaceChildren();
  if (answer.results.length === 0) {
    box.textContent = `No similar failure among ${answer.indexed}.`;
    return;
  }
  for (const { episode, reflection, score } of answer.results) {
    const item = document.createElement('div');
    item.className = 'failure';
    const title = document.createElement('strong');
    title.textContent = `${episode.code} (${episode.error_class}, ${episode.step ?? 'no step'}) — score ${score}`;
    const message = document.createElement('p');
    message.textContent = episode.message;
    item.append(title, message);
    if (reflection) {
      const known = reflection.resolutions[0];
      const advice = document.createElement('p');
      advice.className = 'muted';
      advice.textContent = known
        ? `Fixed by: ${known.text}`
        : `${reflection.rootCause.text} Try: ${reflection.resolutionStrategy.text}`;
      item.append(advice);
    }
    box.append(item);
  }
}
