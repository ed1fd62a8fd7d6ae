// The API as the page speaks it: the saved token and project, and one fetch wrapper with the bearer header.
export const $ = (id) => document.getElementById(id);

export const store = {
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

/** What the page knows of the server and the signed-in project; set once at start. */
export const session = { authMode: 'disabled', project: null };

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
  }
}

function request(method, path, { json, body, headers = {}, token = session.project?.token } = {}) {
  const init = { method, headers: { ...headers } };
  if (token && session.authMode === 'enabled') init.headers.authorization = `Bearer ${token}`;
  if (json !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(json);
  } else if (body !== undefined) init.body = body;
  return fetch(path, init);
}

export async function api(method, path, options = {}) {
  const response = await request(method, path, options);
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  return response.status === 204 ? null : response.json();
}

export const projectPath = (suffix) => `/api/projects/${encodeURIComponent(session.project.projectId)}${suffix}`;

const images = new Map();

/**
 * A photo's preview (an sRGB JPEG any browser shows, HEIC included) as an object URL: fetched with the token, since
 * an <img> cannot send it, and once per page.
 */
export function photoUrl(mediaId) {
  if (!images.has(mediaId)) {
    const loading = request('GET', projectPath(`/media/${encodeURIComponent(mediaId)}/preview.jpg`)).then(
      async (response) => {
        if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
        return URL.createObjectURL(await response.blob());
      },
    );
    loading.catch(() => images.delete(mediaId));
    images.set(mediaId, loading);
  }
  return images.get(mediaId);
}

/** An <img> of a photo's preview, filled in when it has loaded. */
export function thumbnail(mediaId, alt) {
  const img = document.createElement('img');
  img.alt = alt;
  img.draggable = false;
  photoUrl(mediaId).then(
    (url) => (img.src = url),
    () => img.classList.add('missing'),
  );
  return img;
}
