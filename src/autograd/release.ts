/**
 * A training step keeps only what the backward pass reads. Each gradient rule declares what it
 * reads (`savedForBackward` in rules.ts); from that:
 *
 * - forward: inside `withStepRelease` (what fit runs each step in), every recorded node marks the
 *   buffers its rule will read as saved. The model's forward pass then hands a layer's output
 *   back to the pool once its last reader has run unless it is saved, and a layer's temporaries
 *   when the layer returns unless saved (src/models/liveness.ts);
 * - backward: `gradients(y, xs, { releaseExcept })` counts, per buffer, the tape entries that
 *   still have to read it and the gradients still waiting to be used; a buffer whose count
 *   reaches zero goes back to the pool as soon as the rule that read it last has run, and each
 *   rule's temporaries when it returns. The buffers of `xs`, their gradients, y, and the
 *   tensors in `releaseExcept` (the caller's: model outputs, targets) are never released.
 *
 * Releasing is a backend concern: only a backend whose buffers are host memory from the pool
 * gives any back (src/tensor/buffer-pool.ts); one whose buffers are handles frees nothing here.
 * Outside a buffer scope nothing is pooled, so nothing is released either.
 */
import { releaseBuffer, withBufferScopeKeeping } from '../tensor/buffer-pool.js';
import { isHostMemory, type Tensor } from '../tensor/tensor.js';
import { savedForBackward, type OpName, type Saved } from './rules.js';
import { setRecordListener, type TapeNode, type TapeNodeOf } from './tape.js';

function savedOf<K extends OpName>(node: TapeNodeOf<K>): Saved {
  const rule: (needs: readonly boolean[], attrs: TapeNodeOf<K>['attrs']) => Saved = savedForBackward[node.op];
  return rule(
    node.inputs.map((t) => t.requiresGrad),
    node.attrs,
  );
}

/**
 * The buffers `node`'s gradient rule reads: the inputs and output (`y`) its `savedForBackward`
 * entry names, and the typed arrays its attributes hold (argmax, batch statistics).
 *
 * @example
 * const y = ops.relu(x);        // x needs a gradient
 * savedBy(y.node!, y);          // [y.data]: relu's rule reads only its output
 */
export function savedBy(node: TapeNode, y: Tensor): ArrayBufferView[] {
  const saved = savedOf(node);
  const views: ArrayBufferView[] = [];
  node.inputs.forEach((t, i) => {
    if (saved.inputs[i]) views.push(t.data);
  });
  if (saved.output) views.push(y.data);
  for (const value of Object.values(node.attrs)) if (ArrayBuffer.isView(value)) views.push(value);
  return views;
}

/** True when this backend's buffers are pooled host memory, so releasing one can hand it back. */
function releasable(): boolean {
  return isHostMemory();
}

/**
 * Hands the buffer behind `view` back to the pool now (see `releaseBuffer`), when the backend's
 * buffers are host memory and the innermost buffer scope allocated it; true if it went back.
 *
 * @example
 * if (lastReaderHasRun && !isSavedForBackward(t.data)) releaseData(t.data);
 */
export function releaseData(view: ArrayBufferView): boolean {
  return ArrayBuffer.isView(view) && releasable() && releaseBuffer(view);
}

/** The open forward session: the buffers recorded rules will read, in the order marked. */
interface Session {
  readonly saved: Set<ArrayBufferLike>;
  readonly views: ArrayBufferView[];
}

let session: Session | null = null;

function noteRecorded(node: TapeNode, y: Tensor): void {
  for (const view of savedBy(node, y)) {
    if (session!.saved.has(view.buffer)) continue;
    session!.saved.add(view.buffer);
    session!.views.push(view);
  }
}

/**
 * Runs `fn` (one training step: forward, loss, `gradients`) with the forward pass's release on:
 * while it runs, models hand back dead activations that no gradient rule will read (see
 * src/models/liveness.ts). Sessions nest (an inner one is the outer one). Without host-memory
 * buffers it simply runs `fn`.
 *
 * @example
 * const loss = withBufferScope(() => withStepRelease(() => trainStep(x, y)));
 */
export function withStepRelease<T>(fn: () => T): T {
  if (session || !releasable()) return fn();
  session = { saved: new Set(), views: [] };
  setRecordListener(noteRecorded);
  try {
    return fn();
  } finally {
    session = null;
    setRecordListener(null);
  }
}

/**
 * True inside `withStepRelease`: the forward pass may release what no rule reads.
 *
 * @example
 * const live = isRecording() ? stepReleaseActive() : !ctx.training;
 */
export function stepReleaseActive(): boolean {
  return session !== null;
}

/**
 * True when a recorded gradient rule of the open session reads the buffer behind `view`.
 *
 * @example
 * if (!isSavedForBackward(activation.data)) releaseData(activation.data);
 */
export function isSavedForBackward(view: ArrayBufferView): boolean {
  return session?.saved.has(view.buffer) ?? false;
}

/**
 * How many buffers the open session has marked saved so far: pass it to `savedSince` later.
 *
 * @example
 * const mark = savedMark();
 * const y = layer.apply(x, ctx);
 * savedSince(mark);   // what the layer's recorded rules will read
 */
export function savedMark(): number {
  return session?.views.length ?? 0;
}

/** The buffers marked saved since `mark` (see savedMark); empty outside a session. */
export function savedSince(mark: number): ArrayBufferView[] {
  return session ? session.views.slice(mark) : [];
}

/**
 * The backward pass's counts: per buffer, the reads still to come (saved by tape entries not yet
 * processed, gradients not yet used). `gradients` makes one for `releaseExcept`.
 *
 * @example
 * const r = BackwardRelease.start([loss, pred, ...weights]);   // null: nothing to release
 */
export class BackwardRelease {
  private readonly counts = new Map<ArrayBufferLike, { n: number; view: ArrayBufferView }>();

  private constructor(private readonly except: ReadonlySet<ArrayBufferLike>) {}

  /** A release for one backward pass that never frees `except`'s buffers; null without host-memory buffers. */
  static start(except: Iterable<Tensor>): BackwardRelease | null {
    if (!releasable()) return null;
    return new BackwardRelease(new Set([...except].map((t) => t.data.buffer)));
  }

  /** One more read of `view`'s buffer to come. */
  private hold(view: ArrayBufferView): void {
    if (this.except.has(view.buffer)) return;
    const c = this.counts.get(view.buffer);
    if (c) c.n++;
    else this.counts.set(view.buffer, { n: 1, view });
  }

  /** One read of `view`'s buffer done; the last one hands it back. */
  private drop(view: ArrayBufferView): void {
    const c = this.counts.get(view.buffer);
    if (!c || --c.n > 0) return;
    this.counts.delete(view.buffer);
    releaseData(c.view);
  }

  /** Counts what every node of `order` will read. */
  holdSaved(order: readonly Tensor[]): void {
    for (const t of order) if (t.node) for (const view of savedBy(t.node, t)) this.hold(view);
  }

  /** `t`'s node has run (or will not): what it read may go. */
  dropSaved(t: Tensor): void {
    if (t.node) for (const view of savedBy(t.node, t)) this.drop(view);
  }

  /** A gradient now held (in the gradient map, or about to be summed). */
  holdGradient(g: Tensor): void {
    this.hold(g.data);
  }

  /** A gradient used for the last time. */
  dropGradient(g: Tensor): void {
    this.drop(g.data);
  }

  /** Runs one rule; its temporaries (all it allocated but the gradients it returns) go back when it returns. */
  runRule(rule: () => (Tensor | null)[]): (Tensor | null)[] {
    return withBufferScopeKeeping(rule, (grads) => grads.flatMap((g) => (g ? [g.data] : [])));
  }
}
