import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/**
 * Turns a PNG or JPEG screenshot into the grey image Tesseract reads best: dark themes inverted
 * to dark-on-light, and — when the first reading shows small text (a 100 % scaled dialog draws
 * 12 px glyphs, x-height ~6 px) — enlarged 2×: Tesseract's accuracy drops sharply below an
 * x-height of ~10 px (tesseract docs, "Improving the quality of the output", Rescaling).
 * Output is a binary PGM, which Leptonica reads without a codec.
 */
export interface PreparedImage {
  pgm: Uint8Array;
  width: number;
  height: number;
  inverted: boolean;
  scale: number;
}

/** Mean grey below this is a dark theme (white text on a dark window). */
const DARK_MEAN = 110;

export interface DecodedGrey {
  grey: Uint8Array;
  width: number;
  height: number;
  inverted: boolean;
}

/** Decodes to grey, dark themes inverted to dark-on-light. */
export function decodeGrey(bytes: Uint8Array, kind: 'png' | 'jpeg', maxPixels: number): DecodedGrey {
  const { width, height, rgba } = decode(bytes, kind, maxPixels);
  const grey = new Uint8Array(width * height);
  let sum = 0;
  for (let i = 0, p = 0; i < grey.length; i += 1, p += 4) {
    // ITU-R BT.601 luma; alpha composited on white (transparent screenshot corners).
    const a = (rgba[p + 3] ?? 255) / 255;
    const y = 0.299 * (rgba[p] ?? 0) + 0.587 * (rgba[p + 1] ?? 0) + 0.114 * (rgba[p + 2] ?? 0);
    const v = Math.round(y * a + 255 * (1 - a));
    grey[i] = v;
    sum += v;
  }
  const inverted = sum / Math.max(1, grey.length) < DARK_MEAN;
  if (inverted) for (let i = 0; i < grey.length; i += 1) grey[i] = 255 - (grey[i] ?? 0);
  return { grey, width, height, inverted };
}

/** The grey image as a binary PGM, enlarged 2× when `scale` is 2. */
export function toPgm(image: DecodedGrey, scale: 1 | 2): PreparedImage {
  const grey = scale === 2 ? upscale2x(image.grey, image.width, image.height) : image.grey;
  const outWidth = image.width * scale;
  const outHeight = image.height * scale;
  const header = new TextEncoder().encode(`P5\n${outWidth} ${outHeight}\n255\n`);
  const pgm = new Uint8Array(header.length + grey.length);
  pgm.set(header, 0);
  pgm.set(grey, header.length);
  return { pgm, width: outWidth, height: outHeight, inverted: image.inverted, scale };
}

function decode(bytes: Uint8Array, kind: 'png' | 'jpeg', maxPixels: number) {
  if (kind === 'png') {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { width: png.width, height: png.height, rgba: png.data };
  }
  const image = jpeg.decode(bytes, {
    useTArray: true,
    formatAsRGBA: true,
    // jpeg-js refuses larger images itself, a second guard behind the header check.
    maxResolutionInMP: Math.ceil(maxPixels / 1_000_000),
    maxMemoryUsageInMB: 512,
  });
  return { width: image.width, height: image.height, rgba: image.data };
}

/** Bilinear 2× enlargement (sample centres aligned), enough for anti-aliased UI text. */
function upscale2x(src: Uint8Array, width: number, height: number): Uint8Array {
  const outWidth = width * 2;
  const out = new Uint8Array(outWidth * height * 2);
  for (let y = 0; y < height * 2; y += 1) {
    const sy = Math.min(height - 1, Math.max(0, (y - 0.5) / 2));
    const y0 = Math.floor(sy);
    const y1 = Math.min(height - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < outWidth; x += 1) {
      const sx = Math.min(width - 1, Math.max(0, (x - 0.5) / 2));
      const x0 = Math.floor(sx);
      const x1 = Math.min(width - 1, x0 + 1);
      const fx = sx - x0;
      const top = (src[y0 * width + x0] ?? 0) * (1 - fx) + (src[y0 * width + x1] ?? 0) * fx;
      const bottom = (src[y1 * width + x0] ?? 0) * (1 - fx) + (src[y1 * width + x1] ?? 0) * fx;
      out[y * outWidth + x] = Math.round(top * (1 - fy) + bottom * fy);
    }
  }
  return out;
}
