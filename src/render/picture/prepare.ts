import type { Sharp } from 'sharp';
import { photoImage, toSrgb } from './decode.js';
import { loadSharp } from './native.js';
import type { Media } from '../../schemas/media.js';
import type { Shot } from '../../schemas/run.js';
import { canvasSize, CENTRE, cropRect, shotCanvasSize, type Focus } from './crop.js';
import type { Box, Size } from './motion.js';
import { rgbToPlanes, type Planes } from './planes.js';

/** A shot's canvas, and where its focus lies on it. */
export interface PreparedCanvas {
  planes: Planes;
  focus: Box;
}

/**
 * Cropped around the focus and scaled to the canvas. The whole photo is scaled
 * first and the crop taken after: libvips then decodes a JPEG already shrunk
 * (by 2, 4 or 8), which halves the cost of a phone photo.
 */
async function cropCanvas(image: Sharp, photo: Size, canvas: Size, focus: Focus): Promise<{ rgb: Buffer; focus: Box }> {
  const rect = cropRect(photo, canvas, focus);
  const scale = canvas.width / rect.width;
  const scaled = {
    width: Math.max(canvas.width, Math.round(photo.width * scale)),
    height: Math.max(canvas.height, Math.round(photo.height * scale)),
  };
  const left = Math.min(scaled.width - canvas.width, Math.round(rect.left * scale));
  const top = Math.min(scaled.height - canvas.height, Math.round(rect.top * scale));
  const rgb = await image
    .resize(scaled.width, scaled.height, { fit: 'fill' })
    .extract({ left, top, width: canvas.width, height: canvas.height })
    .removeAlpha()
    .raw()
    .toBuffer();
  return {
    rgb,
    focus: {
      left: focus.x * photo.width * scale - left,
      top: focus.y * photo.height * scale - top,
      width: focus.width * photo.width * scale,
      height: focus.height * photo.height * scale,
    },
  };
}

/** How much smaller than the canvas a fill's blurred background is made. */
const BLUR_REDUCTION = 8;

/** The whole photo, centred over a darkened, blurred copy of itself filling the canvas. */
async function fillCanvas(image: Sharp, photo: Size, canvas: Size, focus: Focus): Promise<{ rgb: Buffer; focus: Box }> {
  const sharp = await loadSharp();
  const source = await image
    .removeAlpha()
    .resize(canvas.width, canvas.height, { fit: 'inside' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const inner = { width: source.info.width, height: source.info.height };
  const raw = { raw: { width: inner.width, height: inner.height, channels: 3 as const } };
  // A blur this wide leaves nothing a smaller picture cannot hold: it is made at an eighth of the size and scaled up,
  // which costs a fraction of blurring the whole canvas.
  const small = {
    width: Math.max(8, Math.round(canvas.width / BLUR_REDUCTION)),
    height: Math.max(8, Math.round(canvas.height / BLUR_REDUCTION)),
  };
  const background = await sharp(source.data, raw)
    .resize(small.width, small.height, { fit: 'cover' })
    .blur(Math.max(8, canvas.width / 48) * (small.width / canvas.width))
    .modulate({ brightness: 0.55, saturation: 0.8 })
    .raw()
    .toBuffer();
  const left = Math.round((canvas.width - inner.width) / 2);
  const top = Math.round((canvas.height - inner.height) / 2);
  // composite() hands back RGBA; the canvas is converted from three channels.
  const rgb = await sharp(background, { raw: { ...small, channels: 3 } })
    .resize(canvas.width, canvas.height, { fit: 'fill' })
    .composite([{ input: source.data, raw: raw.raw, left, top }])
    .removeAlpha()
    .raw()
    .toBuffer();
  const scale = inner.width / photo.width;
  return {
    rgb,
    focus: {
      left: left + focus.x * photo.width * scale,
      top: top + focus.y * photo.height * scale,
      width: focus.width * photo.width * scale,
      height: focus.height * photo.height * scale,
    },
  };
}

/**
 * One photo as a shot's canvas (see shotCanvasSize): upright, in sRGB (Display P3 and other ICC
 * profiles converted), cropped around its focus or shown whole over a blurred
 * fill as the shot says, and converted to BT.709 YUV once so each frame only resamples.
 */
export async function prepareCanvas(
  media: Media,
  bytes: Uint8Array,
  shot: Pick<Shot, 'framing' | 'focus' | 'motion'>,
  frame: Size,
): Promise<PreparedCanvas> {
  const photo = { width: media.width, height: media.height };
  const canvas = shotCanvasSize(frame, photo, shot);
  const image = toSrgb(await photoImage(media, bytes));
  const focus = shot.focus ?? CENTRE;
  const { rgb, focus: box } =
    shot.framing === 'fill'
      ? await fillCanvas(image, photo, canvas, focus)
      : await cropCanvas(image, photo, canvas, focus);
  return { planes: rgbToPlanes(rgb, canvas.width, canvas.height, 3), focus: box };
}

/** The line between a pair's two photos: a hundredth of the canvas's width, in near black. */
const PAIR_GAP_SHARE = 0.01;
const PAIR_GAP_RGB = [12, 12, 12] as const;

/** One photo of a pair, decoded as `prepareCanvas` decodes one. */
export interface PairPhoto {
  media: Media;
  bytes: Uint8Array;
  focus: Focus | null;
}

/**
 * Two portrait photos side by side on a canvas in the frame's shape: each
 * cropped to its half around its own subject, a thin dark line between them.
 * The focus the motion keeps in frame spans both subjects.
 */
export async function preparePairCanvas(left: PairPhoto, right: PairPhoto, frame: Size): Promise<PreparedCanvas> {
  const canvas = canvasSize(frame);
  const gap = Math.max(2, Math.round(canvas.width * PAIR_GAP_SHARE));
  const leftWidth = Math.floor((canvas.width - gap) / 2);
  const halves = [
    { photo: left, x: 0, width: leftWidth },
    { photo: right, x: leftWidth + gap, width: canvas.width - leftWidth - gap },
  ];
  const rgb = Buffer.alloc(canvas.width * canvas.height * 3);
  for (let i = 0; i < rgb.length; i += 3) rgb.set(PAIR_GAP_RGB, i);
  const boxes: Box[] = [];
  for (const { photo, x, width } of halves) {
    const image = toSrgb(await photoImage(photo.media, photo.bytes));
    const size = { width: photo.media.width, height: photo.media.height };
    const half = await cropCanvas(image, size, { width, height: canvas.height }, photo.focus ?? CENTRE);
    for (let row = 0; row < canvas.height; row++)
      half.rgb.copy(rgb, (row * canvas.width + x) * 3, row * width * 3, (row + 1) * width * 3);
    boxes.push({ ...half.focus, left: half.focus.left + x });
  }
  const [a, b] = boxes as [Box, Box];
  const focus = {
    left: Math.min(a.left, b.left),
    top: Math.min(a.top, b.top),
    width: Math.max(a.left + a.width, b.left + b.width) - Math.min(a.left, b.left),
    height: Math.max(a.top + a.height, b.top + b.height) - Math.min(a.top, b.top),
  };
  return { planes: rgbToPlanes(rgb, canvas.width, canvas.height, 3), focus };
}
