import type { Media } from '../schemas/media.js';
import { photoImage, toSrgb } from '../render/picture/decode.js';

/** Long side of a photo's preview: enough for a phone's screen and the page's live preview, small to send. */
export const PREVIEW_LONG_SIDE = 1280;
/** Bumped when the preview's recipe changes, so browsers holding an immutable copy fetch the new one. */
export const PREVIEW_VERSION = 2;

/**
 * A photo as any browser can show it: upright, sRGB, JPEG, its long side at
 * most PREVIEW_LONG_SIDE. HEIC goes through the renderer's own decoder (no
 * browser but Safari shows HEIC), so the preview is the picture the video uses,
 * its nclx colour read and an HDR still tone-mapped alike.
 */
export async function photoPreview(media: Pick<Media, 'contentType'>, bytes: Uint8Array): Promise<Buffer> {
  const image = toSrgb(await photoImage(media, bytes));
  return image
    .resize(PREVIEW_LONG_SIDE, PREVIEW_LONG_SIDE, { fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .jpeg({ quality: 82, mozjpeg: true })
    .toBuffer();
}
