/**
 * Writing charts to files: `.svg` as is, `.png` rendered from the SVG by `sharp` (librsvg) at
 * twice the size for crisp text. The file is written to a temporary name and renamed, so a
 * failed render never leaves half a picture.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import sharp from 'sharp';

/**
 * Writes `svg` to `path` as SVG or PNG (by its extension).
 *
 * @example
 * await writeChart(curvesSvg(panels), 'curves.png');
 */
export async function writeChart(svg: string, path: string): Promise<void> {
  const ext = extname(path).toLowerCase();
  if (ext !== '.png' && ext !== '.svg') throw new Error(`writeChart: expected a file name ending in .png or .svg, received '${path}'`);
  const bytes = ext === '.svg' ? Buffer.from(svg) : await sharp(Buffer.from(svg), { density: 144 }).png().toBuffer();
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, path);
}
