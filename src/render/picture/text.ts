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

/**
 * The text without characters the font has no glyph for, so nothing is drawn as an empty box (tofu). A character
 * the font lacks but whose compatibility form it has is drawn as that form: Dutch "ĳ" as "ij".
 */
export function drawableText(text: string): string {
  const f = loadFont();
  const has = (ch: string) => f.charToGlyphIndex(ch) > 0;
  return [...text]
    .map((ch) => (has(ch) || /\s/.test(ch) ? ch : [...ch.normalize('NFKC')].every(has) ? ch.normalize('NFKC') : ''))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}

const width = (text: string, size: number) => loadFont().getAdvanceWidth(text, size);

/** Characters of scripts written without spaces (CJK), between any two of which a line may break. */
const UNSPACED = /([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}])/u;

/** The text's tokens: words (with the space before them), and each character of CJK runs inside them. */
const tokensOf = (text: string) =>
  text.split(' ').flatMap((word, i) =>
    word
      .split(UNSPACED)
      .filter((part) => part.length > 0)
      .map((part, j) => (i > 0 && j === 0 ? ` ${part}` : part)),
  );

/** A separator a line ends on (" · ") is dropped: the break separates as well. */
const trailingSeparator = /\s*·$/u;

/** Splits into lines no wider than `max` where it can, breaking only between tokens (a word is never cut). */
function wrap(text: string, size: number, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const token of tokensOf(text)) {
    if (line && width(line + token, size) > max) {
      lines.push(line.replace(trailingSeparator, ''));
      line = token.trimStart();
    } else line += token;
  }
  lines.push(line);
  return lines;
}

/** Text is shrunk down to this share of its size before it takes more lines than asked for. */
const MIN_SIZE_SHARE = 0.6;

/**
 * Fits text in `max` pixels, whole: wrapped into `maxLines`, then smaller
 * (down to 60%), then on more lines at that size; a word wider than the
 * width alone is made smaller still. Never cut, never an ellipsis.
 */
export function fitText(text: string, options: { size: number; max: number; maxLines: number }): FittedText {
  const { size, max, maxLines } = options;
  const fits = (lines: string[], s: number) => lines.every((line) => width(line, s) <= max);
  for (let s = size; s >= size * MIN_SIZE_SHARE; s *= 0.9) {
    const lines = wrap(text, s, max);
    if (lines.length <= maxLines && fits(lines, s)) return { lines, size: s };
  }
  const small = size * MIN_SIZE_SHARE;
  const widest = Math.max(...tokensOf(text).map((token) => width(token.trimStart(), small)));
  // A word wider than the whole width: the size that fits it, a hair under, so rounding cannot push it over.
  const s = widest > max ? (small * max * 0.98) / widest : small;
  return { lines: wrap(text, s, max), size: s };
}

export interface FittedText {
  lines: string[];
  size: number;
}

export interface Block {
  text: string;
  size: number;
  maxLines: number;
}

type Frame = { width: number; height: number; aspect: Aspect };
type Placement = { align: 'centre' | 'left'; anchor: 'middle' | 'bottom' };

/** A band of text laid out on the frame: each line's left edge, baseline (in the band) and advance width. */
export interface TextLayout {
  lines: Array<{ text: string; x: number; baseline: number; size: number; width: number }>;
  top: number;
  width: number;
  height: number;
}

/** Where each line of the blocks goes: inside the safe area's width, the band at `top` (or ending at its bottom). */
export function layoutText(blocks: Block[], frame: Frame, place: Placement): TextLayout | null {
  const safe = safeArea(frame.aspect);
  const left = Math.round(frame.width * safe.left);
  const max = frame.width - left - Math.round(frame.width * safe.right);
  const laid = blocks
    .map((block) => fitText(drawableText(block.text), { size: block.size, max, maxLines: block.maxLines }))
    .filter((block) => block.lines.some((line) => line.length > 0));
  if (laid.length === 0) return null;
  const pad = Math.round(Math.min(frame.width, frame.height) * 0.05);
  let y = pad;
  const lines: TextLayout['lines'] = [];
  for (const block of laid) {
    for (const line of block.lines) {
      y += block.size * 1.05;
      const advance = width(line, block.size);
      const x = place.align === 'centre' ? left + (max - advance) / 2 : left;
      lines.push({ text: line, x, baseline: y, size: block.size, width: advance });
      y += block.size * 0.25;
    }
  }
  const height = Math.min(frame.height, Math.ceil((y + pad) / 2) * 2);
  const top =
    place.anchor === 'middle'
      ? Math.round(frame.height * (safe.top + (1 - safe.top - safe.bottom) / 2) - height / 2)
      : Math.round(frame.height * (1 - safe.bottom)) - height;
  return { lines, top: Math.max(0, Math.min(frame.height - height, top)), width: frame.width & ~1, height };
}

/**
 * Lines of white text centred (or left-aligned) in a band the width of the
 * frame, over a soft dark scrim and a blurred shadow so they read on any photo,
 * as an overlay at `top` (or ending at `bottom`) inside the frame.
 */
async function textBand(blocks: Block[], frame: Frame, place: Placement): Promise<Overlay | null> {
  const layout = layoutText(blocks, frame, place);
  if (!layout) return null;
  const f = loadFont();
  const d = layout.lines.map((line) => f.getPath(line.text, line.x, line.baseline, line.size).toPathData(2)).join(' ');
  const { width: bandWidth, height } = layout;
  const shadow = Math.max(1, Math.round(layout.lines[0]!.size * 0.06));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${bandWidth}" height="${height}">
<defs><linearGradient id="scrim" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#000" stop-opacity="0"/><stop offset="0.5" stop-color="#000" stop-opacity="0.42"/><stop offset="1" stop-color="#000" stop-opacity="0"/></linearGradient>
<filter id="shadow" x="-10%" y="-30%" width="120%" height="160%"><feGaussianBlur stdDeviation="${shadow * 1.5}"/></filter></defs>
<rect width="100%" height="100%" fill="url(#scrim)"/>
<path d="${d}" fill="#000" fill-opacity="0.85" filter="url(#shadow)" transform="translate(${shadow * 0.6},${shadow})"/>
<path d="${d}" fill="#fff"/>
</svg>`;
  const sharp = await loadSharp();
  const { data } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return rgbaToOverlay(data, bandWidth, height, 0, layout.top);
}

/** The title card's blocks: the title, on up to two lines, and the subtitle (dates · place), on up to two. */
export function titleBlocks(title: { text: string; subtitle: string | null }, frame: Frame): Block[] {
  const short = Math.min(frame.width, frame.height);
  const blocks: Block[] = [{ text: title.text, size: short * 0.085, maxLines: 2 }];
  if (title.subtitle) blocks.push({ text: title.subtitle, size: short * 0.042, maxLines: 2 });
  return blocks;
}
export const TITLE_PLACE: Placement = { align: 'centre', anchor: 'middle' };

/** The opening title card, centred in the safe area. */
export function titleOverlay(title: { text: string; subtitle: string | null }, frame: Frame): Promise<Overlay | null> {
  return textBand(titleBlocks(title, frame), frame, TITLE_PLACE);
}

/** A scene caption's block ("Lisbon · 14 Jul 2024"), on up to two lines. */
export const captionBlocks = (caption: string, frame: Frame): Block[] => [
  { text: caption, size: Math.min(frame.width, frame.height) * 0.045, maxLines: 2 },
];
export const CAPTION_PLACE: Placement = { align: 'left', anchor: 'bottom' };

/** A scene caption at the bottom of the safe area. */
export function captionOverlay(caption: string, frame: Frame): Promise<Overlay | null> {
  return textBand(captionBlocks(caption, frame), frame, CAPTION_PLACE);
}

/** A line's advance width, and its outline as SVG path data with the baseline starting at (x, y): text drawn into a picture (a map's names). */
export const textWidth = width;
export const textPathData = (text: string, x: number, y: number, size: number): string =>
  loadFont().getPath(text, x, y, size).toPathData(2);
