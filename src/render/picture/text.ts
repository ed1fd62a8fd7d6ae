import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import opentype from 'opentype.js';
import type { Aspect } from '../../schemas/run.js';
import { loadSharp } from './native.js';
import { rgbaToOverlay, type Overlay } from './overlay.js';

/**
 * Text is drawn with Noto Sans JP Bold shipped in an npm package (Latin with
 * accents, kana and kanji: "é ü ñ 東京"), turned into vector paths here and
 * rasterised by sharp: no system font is ever looked up, so every machine
 * draws the same pixels.
 */
const FONT_MODULE = '@expo-google-fonts/noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf';

let font: opentype.Font | null = null;
function loadFont(): opentype.Font {
  if (!font) {
    // Found when text is first drawn, not on import: a function that imports this module and draws nothing
    // (api-write) does not ship the font.
    const bytes = readFileSync(createRequire(import.meta.url).resolve(FONT_MODULE));
    // lowMemory: glyphs are parsed when drawn, not all 17,000 of them up front (≈ 50 MB of heap).
    font = opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), {
      lowMemory: true,
    });
  }
  return font;
}

/** The part of the frame text stays in, as shares of its width and height: clear of the edges and, in vertical video, of the apps' own buttons and captions. */
export function safeArea(aspect: Aspect): { left: number; right: number; top: number; bottom: number } {
  if (aspect === '9:16') return { left: 0.08, right: 0.08, top: 0.14, bottom: 0.22 };
  if (aspect === '4:5') return { left: 0.07, right: 0.07, top: 0.08, bottom: 0.12 };
  return { left: 0.08, right: 0.08, top: 0.08, bottom: 0.1 };
}

/** The text without characters the font has no glyph for, so nothing is drawn as an empty box (tofu). */
export function drawableText(text: string): string {
  const f = loadFont();
  return [...text]
    .filter((ch) => /\s/.test(ch) || f.charToGlyphIndex(ch) > 0)
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}

const width = (text: string, size: number) => loadFont().getAdvanceWidth(text, size);

/** Splits into at most `maxLines` lines no wider than `max`: at spaces, or anywhere in text written without them (CJK). */
function wrap(text: string, size: number, max: number, maxLines: number): string[] | null {
  const tokens = text.includes(' ') ? text.split(' ').map((word, i) => (i === 0 ? word : ` ${word}`)) : [...text];
  const lines: string[] = [];
  let line = '';
  for (const token of tokens) {
    if (line && width(line + token, size) > max) {
      lines.push(line);
      line = token.trimStart();
    } else line += token;
  }
  lines.push(line);
  return lines.length <= maxLines && lines.every((l) => width(l, size) <= max) ? lines : null;
}

/** Fits text in `max` pixels: wrapped, then smaller (down to 60%), then cut with an ellipsis. */
export function fitText(text: string, size: number, max: number, maxLines: number): { lines: string[]; size: number } {
  for (let s = size; s >= size * 0.6; s *= 0.9) {
    const lines = wrap(text, s, max, maxLines);
    if (lines) return { lines, size: s };
  }
  const small = size * 0.6;
  const chars = [...text];
  while (chars.length > 1 && !wrap(`${chars.join('').trimEnd()}…`, small, max, maxLines)) chars.pop();
  return { lines: wrap(`${chars.join('').trimEnd()}…`, small, max, maxLines) ?? ['…'], size: small };
}

interface Block {
  text: string;
  size: number;
  maxLines: number;
}

/**
 * Lines of white text centred (or left-aligned) in a band the width of the
 * frame, over a soft dark scrim and a blurred shadow so they read on any photo,
 * as an overlay at `top` (or ending at `bottom`) inside the frame.
 */
async function textBand(
  blocks: Block[],
  frame: { width: number; height: number; aspect: Aspect },
  place: { align: 'centre' | 'left'; anchor: 'middle' | 'bottom' },
): Promise<Overlay | null> {
  const safe = safeArea(frame.aspect);
  const left = Math.round(frame.width * safe.left);
  const max = frame.width - left - Math.round(frame.width * safe.right);
  const laid = blocks
    .map((block) => ({ ...fitText(drawableText(block.text), block.size, max, block.maxLines) }))
    .filter((block) => block.lines.some((line) => line.length > 0));
  if (laid.length === 0) return null;
  const f = loadFont();
  const pad = Math.round(Math.min(frame.width, frame.height) * 0.05);
  let y = pad;
  const paths: string[] = [];
  for (const block of laid) {
    for (const line of block.lines) {
      y += block.size * 1.05;
      const x = place.align === 'centre' ? left + (max - width(line, block.size)) / 2 : left;
      paths.push(f.getPath(line, x, y, block.size).toPathData(2));
      y += block.size * 0.25;
    }
  }
  const height = Math.min(frame.height, Math.ceil((y + pad) / 2) * 2);
  const bandWidth = frame.width & ~1;
  const shadow = Math.max(1, Math.round(laid[0]!.size * 0.06));
  const d = paths.join(' ');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${bandWidth}" height="${height}">
<defs><linearGradient id="scrim" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#000" stop-opacity="0"/><stop offset="0.5" stop-color="#000" stop-opacity="0.42"/><stop offset="1" stop-color="#000" stop-opacity="0"/></linearGradient>
<filter id="shadow" x="-10%" y="-30%" width="120%" height="160%"><feGaussianBlur stdDeviation="${shadow * 1.5}"/></filter></defs>
<rect width="100%" height="100%" fill="url(#scrim)"/>
<path d="${d}" fill="#000" fill-opacity="0.85" filter="url(#shadow)" transform="translate(${shadow * 0.6},${shadow})"/>
<path d="${d}" fill="#fff"/>
</svg>`;
  const sharp = await loadSharp();
  const { data } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const top =
    place.anchor === 'middle'
      ? Math.round(frame.height * (safe.top + (1 - safe.top - safe.bottom) / 2) - height / 2)
      : Math.round(frame.height * (1 - safe.bottom)) - height;
  return rgbaToOverlay(data, bandWidth, height, 0, Math.max(0, Math.min(frame.height - height, top)));
}

/** The opening title card: the title, up to two lines, and a one-line subtitle (dates · place). */
export function titleOverlay(
  title: { text: string; subtitle: string | null },
  frame: { width: number; height: number; aspect: Aspect },
): Promise<Overlay | null> {
  const short = Math.min(frame.width, frame.height);
  const blocks: Block[] = [{ text: title.text, size: short * 0.085, maxLines: 2 }];
  if (title.subtitle) blocks.push({ text: title.subtitle, size: short * 0.042, maxLines: 1 });
  return textBand(blocks, frame, { align: 'centre', anchor: 'middle' });
}

/** A scene caption ("Lisbon · 14 Jul 2024"), one line, at the bottom of the safe area. */
export function captionOverlay(
  caption: string,
  frame: { width: number; height: number; aspect: Aspect },
): Promise<Overlay | null> {
  return textBand([{ text: caption, size: Math.min(frame.width, frame.height) * 0.045, maxLines: 1 }], frame, {
    align: 'left',
    anchor: 'bottom',
  });
}
