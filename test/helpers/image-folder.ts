/**
 * A small two-class image folder for the tests of `convkit train --data-dir` (CLI and dashboard).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

/**
 * Writes `blue/` and `red/` into `dir`, ten 20×20 PNGs each: the class's channel bright, the
 * others dark, so a small net separates them in two epochs.
 */
export async function writeTwoColourFolder(dir: string): Promise<void> {
  for (const [name, channel] of [
    ['blue', 2],
    ['red', 0],
  ] as const) {
    mkdirSync(join(dir, name));
    for (let i = 0; i < 10; i++) {
      const px = new Uint8Array(20 * 20 * 3).map((_, k) => (k % 3 === channel ? 120 + 10 * (i % 5) : 30));
      await sharp(px, { raw: { width: 20, height: 20, channels: 3 } })
        .png()
        .toFile(join(dir, name, `${i}.png`));
    }
  }
}
