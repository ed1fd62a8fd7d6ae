/**
 * A picture as 8-bit YUV 4:2:0 planes (BT.709, limited range): the shape the
 * encoder takes, so frames are composed directly in it and ffmpeg converts nothing.
 */
export interface Planes {
  width: number;
  height: number;
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
}

export function allocPlanes(width: number, height: number): Planes {
  const cw = width >> 1;
  const ch = height >> 1;
  const buffer = new Uint8Array(width * height + 2 * cw * ch);
  return {
    width,
    height,
    y: buffer.subarray(0, width * height),
    u: buffer.subarray(width * height, width * height + cw * ch),
    v: buffer.subarray(width * height + cw * ch),
  };
}

/** The three planes back to back, as ffmpeg's rawvideo yuv420p expects (no copy when allocated by allocPlanes). */
export function planesBytes(planes: Planes): Uint8Array {
  const { y } = planes;
  return new Uint8Array(y.buffer, y.byteOffset, y.length + planes.u.length + planes.v.length);
}

// BT.709 luma coefficients (ITU-R BT.709-6, table 3).
const KR = 0.2126;
const KB = 0.0722;
const KG = 1 - KR - KB;

/**
 * sRGB pixels (3 or 4 channels, alpha ignored) to BT.709 limited-range 4:2:0.
 * The sRGB and BT.709 primaries are the same, so only the matrix and range
 * change: this is what a browser inverts when it plays a stream tagged bt709/tv.
 * Chroma is the average of each 2×2 block. Width and height must be even.
 */
export function rgbToPlanes(rgb: Uint8Array, width: number, height: number, channels: number): Planes {
  const out = allocPlanes(width, height);
  const cw = width >> 1;
  const yScale = 219 / 255;
  const cScale = 224 / 255;
  for (let row = 0; row < height; row++) {
    for (let x = 0; x < width; x++) {
      const i = (row * width + x) * channels;
      out.y[row * width + x] = Math.round(16 + yScale * (KR * rgb[i]! + KG * rgb[i + 1]! + KB * rgb[i + 2]!));
    }
  }
  const stride = width * channels;
  for (let row = 0; row < height >> 1; row++) {
    for (let x = 0; x < cw; x++) {
      const i = row * 2 * stride + x * 2 * channels;
      const j = i + stride;
      const r = (rgb[i]! + rgb[i + channels]! + rgb[j]! + rgb[j + channels]!) / 4;
      const g = (rgb[i + 1]! + rgb[i + channels + 1]! + rgb[j + 1]! + rgb[j + channels + 1]!) / 4;
      const b = (rgb[i + 2]! + rgb[i + channels + 2]! + rgb[j + 2]! + rgb[j + channels + 2]!) / 4;
      const luma = KR * r + KG * g + KB * b;
      out.u[row * cw + x] = clampByte(128 + cScale * ((b - luma) / (2 * (1 - KB))));
      out.v[row * cw + x] = clampByte(128 + cScale * ((r - luma) / (2 * (1 - KR))));
    }
  }
  return out;
}

const clampByte = (value: number) => (value < 0 ? 0 : value > 255 ? 255 : Math.round(value));
