/**
 * Builders of tiny dataset files for the data tests: IDX byte strings and CIFAR-10 records,
 * written into a fresh temporary folder.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh empty folder under the OS temp dir. */
export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'convkit-data-'));
}

/** The bytes of an IDX file: magic (type byte, rank), big-endian dims, then `payload` as given. */
export function idxBytes(typeByte: number, dims: number[], payload: Uint8Array | number[]): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header[2] = typeByte;
  header[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(header.length + payload.length);
  out.set(header);
  out.set(payload, header.length);
  return out;
}

/** A uint8 IDX file of `dims` holding `values`. */
export function ubyteIdx(dims: number[], values: number[]): Uint8Array {
  return idxBytes(0x08, dims, values);
}

/**
 * One CIFAR-10 record: label, then R, G and B planes of 1024 bytes. Pixel (y, x) of channel c
 * holds (c * 80 + y * 2 + x + label) % 256, so every position and channel is distinguishable.
 */
export function cifarRecord(label: number): Uint8Array {
  const r = new Uint8Array(3073);
  r[0] = label;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) r[1 + c * 1024 + y * 32 + x] = (c * 80 + y * 2 + x + label) % 256;
    }
  }
  return r;
}

/** The value `cifarRecord(label)` stores at (y, x, c), as the loader should return it. */
export function cifarPixel(label: number, y: number, x: number, c: number): number {
  return Math.fround(((c * 80 + y * 2 + x + label) % 256) / 255);
}

/** Concatenates byte arrays. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
