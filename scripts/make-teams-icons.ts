import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

// Draws the Teams app icons (manifest/teams/color.png 192×192, outline.png 32×32) so they can be
// regenerated and reviewed as code: `npx tsx scripts/make-teams-icons.ts`. Teams wants the colour
// icon on a solid background and the outline icon white on a transparent background.

type Rgba = readonly [number, number, number, number];
const ACCENT: Rgba = [0x2b, 0x57, 0x97, 255];
const WHITE: Rgba = [255, 255, 255, 255];
const AMBER: Rgba = [0xff, 0xb9, 0x00, 255];

/** A monitor with a probe pulse on its screen, drawn in a unit square (0..1) scaled to `size`. */
function draw(size: number, background: Rgba | null, glyph: Rgba, pulse: Rgba): PNG {
  const png = new PNG({ width: size, height: size, colorType: 6 });
  const fill = (x0: number, y0: number, x1: number, y1: number, color: Rgba) => {
    for (let y = Math.round(y0 * size); y < Math.round(y1 * size); y++)
      for (let x = Math.round(x0 * size); x < Math.round(x1 * size); x++) {
        const i = (y * size + x) * 4;
        png.data[i] = color[0];
        png.data[i + 1] = color[1];
        png.data[i + 2] = color[2];
        png.data[i + 3] = color[3];
      }
  };
  fill(0, 0, 1, 1, background ?? [0, 0, 0, 0]);
  const t = Math.max(1 / size, 0.06); // stroke
  // Screen frame, stand and foot.
  fill(0.16, 0.22, 0.84, 0.22 + t, glyph);
  fill(0.16, 0.66 - t, 0.84, 0.66, glyph);
  fill(0.16, 0.22, 0.16 + t, 0.66, glyph);
  fill(0.84 - t, 0.22, 0.84, 0.66, glyph);
  fill(0.45, 0.66, 0.55, 0.76, glyph);
  fill(0.3, 0.76, 0.7, 0.76 + t, glyph);
  // Pulse line across the screen: flat, up, down, flat.
  const mid = 0.44;
  fill(0.24, mid - t / 2, 0.4, mid + t / 2, pulse);
  fill(0.4, 0.3, 0.4 + t, mid + t / 2, pulse);
  fill(0.4 + t, 0.3, 0.52, 0.3 + t, pulse);
  fill(0.52 - t, 0.3, 0.52, 0.56, pulse);
  fill(0.52 - t, 0.56 - t, 0.6, 0.56, pulse);
  fill(0.6 - t, mid - t / 2, 0.6, 0.56, pulse);
  fill(0.6 - t, mid - t / 2, 0.76, mid + t / 2, pulse);
  return png;
}

const dir = fileURLToPath(new URL('../manifest/teams/', import.meta.url));
writeFileSync(`${dir}color.png`, PNG.sync.write(draw(192, ACCENT, WHITE, AMBER)));
writeFileSync(`${dir}outline.png`, PNG.sync.write(draw(32, null, WHITE, WHITE)));
process.stdout.write(`wrote ${dir}color.png and ${dir}outline.png\n`);
