/**
 * Shared pieces of the server tests: small seeded models (grey 28×28 and RGB 8×8), raw-socket
 * requests (for bodies that fetch cannot send: slow, oversized, cut short) and hand-made PNGs.
 */
import { connect } from 'node:net';
import { deflateSync, crc32 } from 'node:zlib';
import { layers } from '../../src/layers/index.js';
import { sequential } from '../../src/models/sequential.js';
import type { Model } from '../../src/models/model.js';
import { setSeed } from '../../src/tensor/random.js';

/** A seeded conv → pool → dense softmax classifier on [28, 28, 1] (10 classes). */
export function greyModel(): Model {
  setSeed(11);
  return sequential([
    layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
    layers.maxPooling2d({ poolSize: 4 }),
    layers.flatten(),
    layers.dense({ units: 10, activation: 'softmax' }),
  ]);
}

/** A seeded classifier on RGB [8, 8, 3] (3 classes). */
export function rgbModel(): Model {
  setSeed(12);
  return sequential([layers.flatten({ inputShape: [8, 8, 3] }), layers.dense({ units: 3, activation: 'softmax' })]);
}

/** Deterministic pixel values in [0, 1), one sample of `size` values. */
export function samplePixels(size: number, seed: number): number[] {
  return Array.from({ length: size }, (_, i) => ((i * 7919 + seed * 104729) % 256) / 255);
}

/** Nests flat `values` into `shape`. */
export function nest(values: readonly number[], shape: readonly number[]): unknown {
  if (shape.length === 1) return [...values];
  const stride = values.length / shape[0]!;
  return Array.from({ length: shape[0]! }, (_, i) => nest(values.slice(i * stride, (i + 1) * stride), shape.slice(1)));
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid-looking PNG header claiming `width` × `height` 8-bit grey pixels, with a tiny IDAT. */
export function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface RawAnswer {
  status: number;
  headers: string;
  body: string;
}

/**
 * Sends `head` then the body pieces over a raw socket, waiting `gapMs` between pieces; resolves
 * with the first HTTP answer (status, headers, body), even if the server closes mid-send.
 */
export function rawRequest(url: string, head: string, pieces: Buffer[] = [], gapMs = 0): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    let done = false;
    const finish = () => {
      if (done) return;
      const split = received.indexOf('\r\n\r\n');
      if (split < 0) return;
      const headers = received.slice(0, split);
      const length = /content-length: (\d+)/i.exec(headers);
      const body = received.slice(split + 4);
      if (length && Buffer.byteLength(body) < Number(length[1])) return;
      done = true;
      socket.destroy();
      resolve({ status: Number(headers.split(' ')[1]), headers, body });
    };
    socket.on('data', (d) => {
      received += d.toString('utf8');
      finish();
    });
    socket.on('error', () => {
      finish();
      if (!done) reject(new Error(`socket error before an answer; received ${JSON.stringify(received.slice(0, 200))}`));
    });
    socket.on('close', () => {
      finish();
      if (!done) reject(new Error(`connection closed before an answer; received ${JSON.stringify(received.slice(0, 200))}`));
    });
    socket.write(head);
    let i = 0;
    const next = () => {
      if (done || i >= pieces.length || socket.destroyed) return;
      socket.write(pieces[i++]!);
      setTimeout(next, gapMs);
    };
    next();
  });
}
