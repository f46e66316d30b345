/**
 * The vocabulary of kernel specs (kernels.ts): argument descriptors (name and type), output
 * descriptors (name and element type) and the mapped types that turn a spec into the kernel's
 * TypeScript signature. A spec is a value, so the same record gives the compiler the `Kernels`
 * type every backend must implement and gives `native.ts` (at run time) each kernel's outputs
 * and their sizes; a kernel exists once, in one record.
 */
import type { FloatArray } from '../tensor/dtype.js';

/** What an argument carries; the native addon reads each kind with the matching reader (native/src/addon/args.h). */
export type ArgKind =
  | 'float' // a float buffer (Float32Array on native, Float64Array for gradient checks)
  | 'floatOrNull' // a float buffer or null (an optional bias, an unused optimizer slot)
  | 'floats' // an array of float buffers (concat)
  | 'int32' // an Int32Array (argmax indices, the dropout generator's state)
  | 'size' // a non-negative integer (rows, channels, an axis)
  | 'number' // a finite number (epsilon, a rate)
  | 'boolean'
  | 'shape' // an array of non-negative integers
  | 'shapes' // an array of shapes (concat)
  | 'string' // one of a few names (an op, an activation, a resize method)
  | 'attrs'; // an object of named fields (a geometry, an optimizer step, options)

/** One argument of a kernel: its name (as the addon's errors say it), its kind and (at type level only) its TypeScript type. */
export interface Arg<T = unknown> {
  readonly name: string;
  readonly kind: ArgKind;
  /** Never set: carries T for the mapped types. */
  readonly type?: T;
}

const arg =
  <T>(kind: ArgKind) =>
  (name: string): Arg<T> => ({ name, kind });

/** Argument constructors, one per kind; `attrs<T>()` and `oneOf<T>()` take the field record or name union as T. */
export const float = arg<FloatArray>('float');
export const floatOrNull = arg<FloatArray | null>('floatOrNull');
export const floats = arg<readonly FloatArray[]>('floats');
export const int32 = arg<Int32Array>('int32');
export const size = arg<number>('size');
export const number = arg<number>('number');
export const boolean = arg<boolean>('boolean');
export const shape = arg<readonly number[]>('shape');
export const shapes = arg<readonly (readonly number[])[]>('shapes');
export const oneOf = <T extends string>(name: string): Arg<T> => ({ name, kind: 'string' });
export const attrs = <T extends object>(name: string): Arg<T> => ({ name, kind: 'attrs' });

/** An output's element type: a float buffer, an Int32Array, or a float buffer the call may leave out (null). */
export type OutKind = 'float' | 'int32' | 'floatOrNull';

/** The outputs of a kernel: one buffer, a record of named buffers, or 'inPlace' (the kernel updates arguments). */
export type Outputs = { readonly one: string; readonly kind: OutKind } | { readonly record: Readonly<Record<string, OutKind>> } | 'inPlace';

/** A single output named `name` (the name the addon's errors use). */
export const one = <K extends OutKind = 'float'>(name: string, kind: K = 'float' as K): { readonly one: string; readonly kind: K } => ({
  one: name,
  kind,
});
/** Named outputs, returned as a record in this order. */
export const record = <const R extends Readonly<Record<string, OutKind>>>(fields: R): { readonly record: R } => ({ record: fields });

type BufferOf<K extends OutKind> = K extends 'int32' ? Int32Array : K extends 'float' ? FloatArray : FloatArray | null;
type SizeOf<K extends OutKind> = K extends 'floatOrNull' ? number | null : number;

/** The TypeScript types of an argument list (a tuple of `Arg`s). */
export type ArgTypes<A extends readonly Arg[]> = { -readonly [I in keyof A]: A[I] extends Arg<infer T> ? T : never };

/** What a kernel with outputs O returns. */
export type ResultOf<O extends Outputs> = O extends 'inPlace'
  ? void
  : O extends { one: string; kind: infer K extends OutKind }
    ? BufferOf<K>
    : O extends { record: infer R extends Record<string, OutKind> }
      ? { -readonly [P in keyof R]: BufferOf<R[P]> }
      : never;

/** The element counts of outputs O, as the size rule gives them (null: the output is not computed). */
export type SizesOf<O extends Outputs> = O extends 'inPlace'
  ? 'inPlace'
  : O extends { one: string; kind: infer K extends OutKind }
    ? SizeOf<K>
    : O extends { record: infer R extends Record<string, OutKind> }
      ? { readonly [P in keyof R]: SizeOf<R[P]> }
      : never;

/** One kernel's spec: its arguments, its outputs and the rule giving each output's element count from the arguments. */
export interface KernelSpec<A extends readonly Arg[] = readonly Arg[], O extends Outputs = Outputs> {
  readonly args: A;
  readonly outputs: O;
  readonly sizes: (...args: ArgTypes<A>) => SizesOf<O>;
}

/**
 * Builds a spec; the size rule's parameters are typed from `args`.
 *
 * @example
 * const spec = kernel([float('x')], one('y'), (x) => x.length);
 * spec.sizes(new Float32Array(3)); // 3
 */
export function kernel<const A extends readonly Arg[], const O extends Outputs>(
  args: A,
  outputs: O,
  sizes: (...args: ArgTypes<A>) => SizesOf<O>,
): KernelSpec<A, O> {
  return { args, outputs, sizes };
}

/**
 * The spec of a kernel that updates some of its arguments and returns nothing.
 *
 * @example
 * const spec = inPlace([float('average'), float('value'), number('momentum')]);
 */
export function inPlace<const A extends readonly Arg[]>(args: A): KernelSpec<A, 'inPlace'> {
  return { args, outputs: 'inPlace', sizes: () => 'inPlace' };
}

/** The function type a spec describes: the arguments' types in, the outputs out. */
export type KernelOf<S> = S extends KernelSpec<infer A, infer O> ? (...args: ArgTypes<A>) => ResultOf<O> : never;
