import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';

/**
 * Draws the demo's sample photos (postcard-like scenes as SVG) and writes them
 * as JPEGs with EXIF dates, offsets and GPS, so the director has facts to use:
 * `tsx scripts/make-samples.ts`. The results are committed in samples/.
 */
const OUT = resolve(import.meta.dirname, '../samples');
const W = 1280;
const H = 960;

interface Scene {
  file: string;
  takenAt: string;
  offset: string;
  lat: [number, number, number, 'N' | 'S'];
  lon: [number, number, number, 'E' | 'W'];
  sky: [string, string];
  sun: { x: number; y: number; r: number; color: string };
  layers: string;
}

const hills = (y: number, amp: number, color: string, phase = 0) => {
  let d = `M0 ${H} L0 ${y}`;
  for (let x = 0; x <= W; x += 40)
    d += ` L${x} ${(y + Math.sin(x / 160 + phase) * amp + Math.sin(x / 57 + phase * 2) * amp * 0.3).toFixed(1)}`;
  return `<path d="${d} L${W} ${H} Z" fill="${color}"/>`;
};
const sea = (y: number, color: string) =>
  `<rect x="0" y="${y}" width="${W}" height="${H - y}" fill="${color}"/>` +
  Array.from(
    { length: 14 },
    (_, i) =>
      `<rect x="${(i * 97) % W}" y="${y + 20 + i * 18}" width="${120 + (i % 4) * 40}" height="3" fill="#ffffff" opacity="0.25"/>`,
  ).join('');
const city = (base: number, color: string) =>
  Array.from({ length: 26 }, (_, i) => {
    const w = 30 + ((i * 37) % 40);
    const h = 60 + ((i * 53) % 150);
    return `<rect x="${i * 50}" y="${base - h}" width="${w}" height="${h}" fill="${color}"/>`;
  }).join('');
const tower = (x: number, base: number, color: string) =>
  `<rect x="${x}" y="${base - 260}" width="36" height="260" fill="${color}"/><polygon points="${x - 6},${base - 260} ${x + 18},${base - 320} ${x + 42},${base - 260}" fill="${color}"/>`;
const bridge = (y: number, color: string) =>
  `<rect x="0" y="${y}" width="${W}" height="14" fill="${color}"/>` +
  [260, 900]
    .map(
      (x) =>
        `<rect x="${x}" y="${y - 220}" width="22" height="240" fill="${color}"/><path d="M${x - 250} ${y} Q ${x + 11} ${y - 230} ${x + 272} ${y}" stroke="${color}" stroke-width="5" fill="none"/>`,
    )
    .join('');

const SCENES: Scene[] = [
  {
    file: '01-lisbon-river.jpg',
    takenAt: '2024:07:14 18:42:10',
    offset: '+01:00',
    lat: [38, 41, 33, 'N'],
    lon: [9, 10, 37, 'W'],
    sky: ['#ffb36b', '#ff6f61'],
    sun: { x: 820, y: 430, r: 90, color: '#ffe29a' },
    layers: sea(560, '#3a6f8f') + bridge(560, '#b33a2b'),
  },
  {
    file: '02-lisbon-rooftops.jpg',
    takenAt: '2024:07:14 20:05:44',
    offset: '+01:00',
    lat: [38, 42, 45, 'N'],
    lon: [9, 8, 11, 'W'],
    sky: ['#5b3d8f', '#f08a5d'],
    sun: { x: 300, y: 520, r: 60, color: '#ffd27f' },
    layers: city(720, '#2d2240') + hills(760, 18, '#3b2c52'),
  },
  {
    file: '03-sintra-hills.jpg',
    takenAt: '2024:07:15 10:31:02',
    offset: '+01:00',
    lat: [38, 47, 15, 'N'],
    lon: [9, 23, 26, 'W'],
    sky: ['#8ecdf2', '#dff3ff'],
    sun: { x: 1050, y: 180, r: 70, color: '#fff6c2' },
    layers:
      hills(520, 50, '#6c9a5b', 1) +
      tower(640, 470, '#c9a66b') +
      hills(650, 35, '#4e7d43', 2) +
      hills(800, 25, '#3c6634', 3),
  },
  {
    file: '04-cascais-beach.jpg',
    takenAt: '2024:07:15 16:12:37',
    offset: '+01:00',
    lat: [38, 41, 47, 'N'],
    lon: [9, 25, 15, 'W'],
    sky: ['#6fc3ff', '#c9ecff'],
    sun: { x: 240, y: 200, r: 80, color: '#fffbe0' },
    layers: sea(470, '#1f8fbf') + `<path d="M0 700 Q 640 620 1280 720 L1280 960 L0 960 Z" fill="#f2d9a6"/>`,
  },
  {
    file: '05-porto-bridge.jpg',
    takenAt: '2024:07:16 19:20:18',
    offset: '+01:00',
    lat: [41, 8, 23, 'N'],
    lon: [8, 36, 33, 'W'],
    sky: ['#2e4a7d', '#f4a261'],
    sun: { x: 640, y: 600, r: 110, color: '#ffcf70' },
    layers: sea(640, '#274060') + city(640, '#1d2b44') + bridge(600, '#14213d'),
  },
  {
    file: '06-porto-night.jpg',
    takenAt: '2024:07:16 22:47:51',
    offset: '+01:00',
    lat: [41, 8, 30, 'N'],
    lon: [8, 36, 40, 'W'],
    sky: ['#0b1026', '#2b2f5a'],
    sun: { x: 1000, y: 200, r: 45, color: '#f5f3ce' },
    layers:
      Array.from(
        { length: 60 },
        (_, i) => `<circle cx="${(i * 211) % W}" cy="${(i * 97) % 420}" r="${1 + (i % 3)}" fill="#fff" opacity="0.8"/>`,
      ).join('') +
      city(760, '#05070f') +
      sea(760, '#141b3a'),
  },
];

const dms = ([d, m, s]: [number, number, number, string]) => `${d}/1 ${m}/1 ${s * 100}/100`;

for (const scene of SCENES) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${scene.sky[0]}"/><stop offset="1" stop-color="${scene.sky[1]}"/></linearGradient></defs>
    <rect width="${W}" height="${H}" fill="url(#sky)"/>
    <circle cx="${scene.sun.x}" cy="${scene.sun.y}" r="${scene.sun.r}" fill="${scene.sun.color}"/>
    ${scene.layers}
  </svg>`;
  const jpeg = await sharp(Buffer.from(svg))
    .withExif({
      IFD0: { Make: 'SirTrav', Model: 'Sample Camera' },
      IFD2: { DateTimeOriginal: scene.takenAt, OffsetTimeOriginal: scene.offset },
      IFD3: {
        GPSLatitudeRef: scene.lat[3],
        GPSLatitude: dms(scene.lat),
        GPSLongitudeRef: scene.lon[3],
        GPSLongitude: dms(scene.lon),
      },
    })
    .jpeg({ quality: 82, mozjpeg: true })
    .toBuffer();
  writeFileSync(join(OUT, scene.file), jpeg);
  console.log(scene.file, jpeg.byteLength, 'bytes');
}
