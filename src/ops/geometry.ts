/**
 * Resolves Keras-style convolution, transposed-convolution and pooling options ('valid'/'same'
 * padding, strides, dilation) into the fully explicit geometry the kernels take. 'same' pads as
 * TensorFlow does: the extra pixel of an odd total goes to the bottom/right.
 */
import type { Conv2dGeometry, Pool2dGeometry } from '../backends/kernels.js';
import { formatShape } from '../tensor/shape.js';

export type Padding = 'valid' | 'same';

/** Output size and leading pad of one spatial axis. */
export function outputSize(
  inSize: number,
  window: number,
  stride: number,
  dilation: number,
  padding: Padding,
): { out: number; padBefore: number } {
  const effective = (window - 1) * dilation + 1;
  if (padding === 'valid') {
    return { out: Math.max(0, Math.floor((inSize - effective) / stride) + 1), padBefore: 0 };
  }
  const out = Math.ceil(inSize / stride);
  const total = Math.max(0, (out - 1) * stride + effective - inSize);
  return { out, padBefore: Math.floor(total / 2) };
}

/**
 * Output length and leading pad of one axis of a transposed convolution: the length by Keras's
 * `deconv_output_length` ('valid' n·s + max(k − s, 0), 'same' n·s; with outputPadding p,
 * (n − 1)·s + k − 2·⌊k/2⌋ ('same') or − 0 ('valid') + p) and the pad of the forward convolution,
 * on an input of that length, whose input gradient the transpose is. Throws if that forward
 * convolution would not give back n.
 */
export function transposeOutputSize(
  n: number,
  kernel: number,
  stride: number,
  padding: Padding,
  outputPadding: number | null,
  where: string,
): { out: number; padBefore: number } {
  const dropped = padding === 'same' ? 2 * Math.floor(kernel / 2) : 0;
  const out =
    outputPadding === null
      ? padding === 'valid'
        ? n * stride + Math.max(kernel - stride, 0)
        : n * stride
      : (n - 1) * stride + kernel - dropped + outputPadding;
  const forward = outputSize(out, kernel, stride, 1, padding);
  if (out <= 0 || forward.out !== n) {
    throw new Error(
      `${where}: kernel ${kernel}, stride ${stride}, padding '${padding}' and outputPadding ${outputPadding} give an output of ${out}, from which the forward convolution would not give back the input size ${n}`,
    );
  }
  return { out, padBefore: forward.padBefore };
}

/** outputPadding as a pair of non-negative integers below the strides, or null when not given. */
export function outputPaddingPair(
  v: number | readonly number[] | null | undefined,
  strides: [number, number],
  where: string,
): [number, number] | null {
  if (v === undefined || v === null) return null;
  const p = typeof v === 'number' ? [v, v] : Array.isArray(v) ? [...v] : [NaN]; // NaN: refused below, naming the value
  if (p.length !== 2 || !p.every((d, i) => Number.isInteger(d) && d >= 0 && d < strides[i]!)) {
    throw new Error(
      `${where}: expected outputPadding to be a non-negative integer or pair, each less than the stride (${strides.join(', ')}), received ${JSON.stringify(v)}`,
    );
  }
  return [p[0]!, p[1]!];
}

/** A pair from a number or a pair (Keras accepts both for kernelSize, strides, poolSize...). */
export function pair(v: number | readonly number[], name: string, where: string): [number, number] {
  const p = typeof v === 'number' ? [v, v] : Array.isArray(v) ? [...v] : [NaN]; // NaN: refused below, naming the value
  if (p.length !== 2 || !p.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`${where}: expected ${name} to be a positive integer or a pair of them, received ${JSON.stringify(v)}`);
  }
  return [p[0]!, p[1]!];
}

export function checkPadding(padding: string, where: string): Padding {
  if (padding !== 'valid' && padding !== 'same') {
    throw new Error(`${where}: expected padding 'valid' or 'same', received '${padding}'`);
  }
  return padding;
}

/** Geometry of conv2d(x: [N,H,W,C], filter: [kH,kW,C,outC]). */
export function convGeometry(
  xShape: readonly number[],
  filterShape: readonly number[],
  strides: [number, number],
  padding: Padding,
  dilation: [number, number],
  where: string,
): Conv2dGeometry {
  if (xShape.length !== 4)
    throw new Error(`${where}: expected input of rank 4 (batch, height, width, channels), received shape ${formatShape(xShape)}`);
  if (filterShape.length !== 4)
    throw new Error(
      `${where}: expected filter of rank 4 (kernelHeight, kernelWidth, inChannels, outChannels), received ${formatShape(filterShape)}`,
    );
  const [batch, inHeight, inWidth, inChannels] = xShape as [number, number, number, number];
  const [kernelHeight, kernelWidth, fIn, outChannels] = filterShape as [number, number, number, number];
  if (fIn !== inChannels) {
    throw new Error(
      `${where}: input has ${inChannels} channels but the filter expects ${fIn} (input ${formatShape(xShape)}, filter ${formatShape(filterShape)})`,
    );
  }
  const h = outputSize(inHeight, kernelHeight, strides[0], dilation[0], padding);
  const w = outputSize(inWidth, kernelWidth, strides[1], dilation[1], padding);
  if (h.out <= 0 || w.out <= 0) {
    throw new Error(
      `${where}: a ${kernelHeight}x${kernelWidth} kernel does not fit the ${inHeight}x${inWidth} input with padding '${padding}'`,
    );
  }
  return {
    batch,
    inHeight,
    inWidth,
    inChannels,
    outHeight: h.out,
    outWidth: w.out,
    outChannels,
    kernelHeight,
    kernelWidth,
    strideHeight: strides[0],
    strideWidth: strides[1],
    dilationHeight: dilation[0],
    dilationWidth: dilation[1],
    padTop: h.padBefore,
    padLeft: w.padBefore,
  };
}

/** Geometry of a pooling window over x: [N,H,W,C]. */
export function poolGeometry(
  xShape: readonly number[],
  poolSize: [number, number],
  strides: [number, number],
  padding: Padding,
  where: string,
): Pool2dGeometry {
  if (xShape.length !== 4)
    throw new Error(`${where}: expected input of rank 4 (batch, height, width, channels), received shape ${formatShape(xShape)}`);
  const [batch, inHeight, inWidth, channels] = xShape as [number, number, number, number];
  const h = outputSize(inHeight, poolSize[0], strides[0], 1, padding);
  const w = outputSize(inWidth, poolSize[1], strides[1], 1, padding);
  if (h.out <= 0 || w.out <= 0) {
    throw new Error(
      `${where}: a ${poolSize[0]}x${poolSize[1]} pool does not fit the ${inHeight}x${inWidth} input with padding '${padding}'`,
    );
  }
  return {
    batch,
    inHeight,
    inWidth,
    channels,
    outHeight: h.out,
    outWidth: w.out,
    poolHeight: poolSize[0],
    poolWidth: poolSize[1],
    strideHeight: strides[0],
    strideWidth: strides[1],
    padTop: h.padBefore,
    padLeft: w.padBefore,
  };
}
