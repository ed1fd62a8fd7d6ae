/** What a share page shows: addresses are absolute (chat apps fetch them from elsewhere) and name only the share. */
export interface SharePage {
  title: string;
  pageUrl: string;
  videoUrl: string;
  posterUrl: string | null;
  captionsUrl: string | null;
  width: number;
  height: number;
  durationSec: number;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Text and attribute values alike: every character that could end one or start markup. */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);

const meta = (attribute: 'property' | 'name', key: string, value: string | number) =>
  `<meta ${attribute}="${key}" content="${escapeHtml(String(value))}">`;

/**
 * Open Graph (ogp.me, video.other with og:video) for Facebook, Slack, Discord,
 * WhatsApp and iMessage; a Twitter/X player card pointing at this page, with
 * the poster as its image. The page runs no script.
 */
function headTags(page: SharePage): string[] {
  const { width, height } = page;
  const image = page.posterUrl
    ? [
        meta('property', 'og:image', page.posterUrl),
        meta('property', 'og:image:width', width),
        meta('property', 'og:image:height', height),
      ]
    : [];
  return [
    meta('property', 'og:title', page.title),
    meta('property', 'og:type', 'video.other'),
    meta('property', 'og:url', page.pageUrl),
    meta('property', 'og:site_name', 'SirTrav'),
    ...image,
    meta('property', 'og:video', page.videoUrl),
    meta('property', 'og:video:secure_url', page.videoUrl),
    meta('property', 'og:video:type', 'video/mp4'),
    meta('property', 'og:video:width', width),
    meta('property', 'og:video:height', height),
    meta('property', 'video:duration', Math.round(page.durationSec)),
    meta('name', 'twitter:card', 'player'),
    meta('name', 'twitter:title', page.title),
    meta('name', 'twitter:player', page.pageUrl),
    meta('name', 'twitter:player:width', width),
    meta('name', 'twitter:player:height', height),
    meta('name', 'twitter:player:stream', page.videoUrl),
    meta('name', 'twitter:player:stream:content_type', 'video/mp4'),
    ...(page.posterUrl ? [meta('name', 'twitter:image', page.posterUrl)] : []),
  ];
}

/** The public page of a shared video: the video, its poster and captions, and the tags that unfold the link. */
export function renderSharePage(page: SharePage): string {
  const poster = page.posterUrl ? ` poster="${escapeHtml(page.posterUrl)}"` : '';
  const track = page.captionsUrl
    ? `\n<track kind="captions" src="${escapeHtml(page.captionsUrl)}" srclang="en" label="Captions" default>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(page.title)}</title>
${headTags(page).join('\n')}
<style>
html,body{margin:0;height:100%;background:#111;color:#eee;font:16px system-ui,sans-serif}
main{display:flex;flex-direction:column;align-items:center;justify-content:center;min-height:100%;gap:.75rem;padding:1rem;box-sizing:border-box}
video{max-width:100%;max-height:85vh;background:#000}
h1{font-size:1.1rem;font-weight:500;margin:0}
</style>
</head>
<body>
<main>
<video controls playsinline preload="metadata" width="${page.width}" height="${page.height}"${poster} src="${escapeHtml(page.videoUrl)}" crossorigin="anonymous">${track}
</video>
<h1>${escapeHtml(page.title)}</h1>
</main>
</body>
</html>
`;
}
