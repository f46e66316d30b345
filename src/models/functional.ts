/**
 * Functional models: any directed acyclic graph of layers, built by applying layers to symbolic
 * tensors (`input()`), then `model({ inputs, outputs })`. A model is itself a layer, so models
 * nest. Configs follow Keras: each layer lists its inbound nodes by layer name.
 */
import { InputLayer, symbolicInput } from '../layers/input.js';
import { applyFusedRun } from '../layers/fusion.js';
import type { CallContext, Layer, LayerConfig } from '../layers/layer.js';
import { layerFromConfig, registerLayer, serializeLayer } from '../layers/registry.js';
import { showShape, type Shape } from '../layers/shape-types.js';
import type { LayerNode, SymbolicTensor } from '../layers/symbolic.js';
import type { Tensor } from '../tensor/tensor.js';
import { freesActivations, LiveValues, stepScope } from './liveness.js';
import { Model } from './model.js';

export interface FunctionalArgs {
  inputs: SymbolicTensor | SymbolicTensor[];
  outputs: SymbolicTensor | SymbolicTensor[];
  name?: string;
}

/** `[layerName, nodeIndex, tensorIndex]` as in Keras configs. */
type NodeRef = [string, number, number];

/** Nodes needed to compute `outputs` from `inputs`, each after the nodes it reads. */
function topologicalNodes(inputs: SymbolicTensor[], outputs: SymbolicTensor[], where: string): LayerNode[] {
  const order: LayerNode[] = [];
  const done = new Set<SymbolicTensor>(inputs);
  const visiting = new Set<SymbolicTensor>();
  const visit = (t: SymbolicTensor): void => {
    if (done.has(t)) return;
    const node = t.node;
    if (!node || node.inputs.length === 0) {
      throw new Error(`${where}: graph disconnected: "${t.name}" is needed to compute the outputs but is not among the model's inputs`);
    }
    if (visiting.has(t)) throw new Error(`${where}: the graph has a cycle through "${t.name}"`);
    visiting.add(t);
    node.inputs.forEach(visit);
    visiting.delete(t);
    done.add(t);
    order.push(node);
  };
  outputs.forEach(visit);
  return order;
}

/**
 * For each tensor that exactly one node reads, as that node's only input, and that is not a
 * model output: that node. Such a pair may run as one fused op (applyFused, src/layers/fusion.ts), since
 * nothing else needs the tensor between them.
 */
function soleReaders(nodes: readonly LayerNode[], outputs: readonly SymbolicTensor[]): Map<SymbolicTensor, LayerNode> {
  const readers = new Map<SymbolicTensor, LayerNode[]>();
  for (const node of nodes) for (const t of node.inputs) readers.set(t, [...(readers.get(t) ?? []), node]);
  const sole = new Map<SymbolicTensor, LayerNode>();
  for (const [t, list] of readers) {
    if (list.length === 1 && list[0]!.inputs.length === 1 && !outputs.includes(t)) sole.set(t, list[0]!);
  }
  return sole;
}

/**
 * A model defined by a graph of layers.
 *
 * @example
 * const x = input({ shape: [32, 32, 3] });
 * const y = layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }).apply(x);
 * const z = layers.add().apply([x, y]);
 * const m = model({ inputs: x, outputs: z });
 */
export class Functional extends Model {
  readonly className: string = 'Functional';
  readonly inputs: SymbolicTensor[];
  readonly outputs: SymbolicTensor[];
  private readonly nodes: LayerNode[];
  private readonly soleReader: Map<SymbolicTensor, LayerNode>;
  /** How many node inputs each value feeds (a node reading a value twice counts twice). */
  private readonly readers = new Map<SymbolicTensor, number>();
  private readonly layerList: Layer[];

  constructor(args: FunctionalArgs) {
    super({ name: args.name }, 'functional');
    this.inputs = Array.isArray(args.inputs) ? args.inputs : [args.inputs];
    this.outputs = Array.isArray(args.outputs) ? args.outputs : [args.outputs];
    for (const t of this.inputs) {
      if (!(t.node?.layer instanceof InputLayer)) throw new Error(`model: inputs must come from input(), received "${t.name}"`);
    }
    this.nodes = topologicalNodes(this.inputs, this.outputs, `model "${this.name}"`);
    this.soleReader = soleReaders(this.nodes, this.outputs);
    for (const node of this.nodes) for (const t of node.inputs) this.readers.set(t, (this.readers.get(t) ?? 0) + 1);
    this.layerList = [...new Set([...this.inputs.map((t) => t.sourceLayer), ...this.nodes.map((n) => n.layer)])];
    this.markBuilt(this.inputs.map((t) => t.shape));
  }

  get layers(): Layer[] {
    return [...this.layerList];
  }

  get outputShape(): Shape {
    if (this.outputs.length !== 1)
      throw new Error(`model "${this.name}" has ${this.outputs.length} outputs; outputShape needs exactly one`);
    return this.outputs[0]!.shape;
  }

  get inputShapes(): Shape[] {
    return this.inputs.map((t) => [...t.shape]);
  }

  layerOutputShapes(): Shape[] {
    return this.layerList.map((layer) => (this.nodeOf(layer)?.output ?? this.inputs.find((t) => t.sourceLayer === layer)!).shape);
  }

  /** For the summary: the `layer[node][tensor]` each layer reads. */
  layerConnections(): string[] {
    return this.layerList.map((layer) => {
      const node = this.nodeOf(layer);
      return node ? node.inputs.map((t) => `${t.sourceLayer.name}[${t.node!.index}][0]`).join(', ') : '';
    });
  }

  private nodeOf(layer: Layer): LayerNode | undefined {
    return this.nodes.find((n) => n.layer === layer);
  }

  /**
   * Runs the graph: each node once, in topological order. At inference each intermediate value
   * is dropped as soon as its last reader has run (see liveness.ts).
   */
  run(inputs: Tensor[], ctx: CallContext): Tensor[] {
    if (inputs.length !== this.inputs.length) {
      throw new Error(`model "${this.name}": expected ${this.inputs.length} input(s), received ${inputs.length}`);
    }
    const live = freesActivations(ctx);
    const values = new LiveValues<SymbolicTensor>();
    // The caller's inputs and the outputs are never dropped here.
    this.inputs.forEach((s, i) => values.set(s, inputs[i]!, Infinity));
    const readsOf = (t: SymbolicTensor): number => (this.outputs.includes(t) ? Infinity : (this.readers.get(t) ?? 0));
    const fusedAway = new Set<LayerNode>();
    for (const node of this.nodes) {
      if (fusedAway.has(node)) continue;
      const args = node.inputs.map((t) => values.get(t));
      const x = args.length === 1 ? args[0]! : args;
      // The node and up to seven sole readers after it: the longest fusable run of them runs as one op.
      const chain = [node];
      for (let n = this.soleReader.get(node.output); n && chain.length < 8; n = this.soleReader.get(n.output)) chain.push(n);
      let output = node.output;
      const step = (): Tensor => {
        const run =
          chain.length > 1
            ? applyFusedRun(
                chain.map((n) => n.layer),
                x,
                ctx,
              )
            : null;
        if (!run) return node.layer.apply(x, ctx);
        for (const fused of chain.slice(1, run.layers)) fusedAway.add(fused);
        output = chain[run.layers - 1]!.output;
        return run.y;
      };
      const y = live ? stepScope(step) : step();
      values.set(output, y, readsOf(output));
      if (live) values.read(node.inputs);
    }
    return this.outputs.map((o) => values.get(o));
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    return this.callInputs([x], ctx);
  }

  protected override callInputs(inputs: Tensor[], ctx: CallContext): Tensor {
    const outs = this.run(inputs, ctx);
    if (outs.length !== 1) throw new Error(`model "${this.name}" has ${outs.length} outputs; use run() to get all of them`);
    return outs[0]!;
  }

  computeOutputShape(): Shape {
    return this.outputShape;
  }

  override computeOutputShapeForInputs(shapes: Shape[]): Shape {
    shapes.forEach((s, i) => {
      const want = this.inputs[i]?.shape;
      if (!want || s.length !== want.length)
        throw new Error(`model "${this.name}": input ${i} has shape ${showShape(s)}, expected ${showShape(want ?? [])}`);
    });
    return this.outputShape;
  }

  override getConfig(): LayerConfig {
    const ref = (t: SymbolicTensor): NodeRef => [t.sourceLayer.name, t.node!.index, 0];
    return {
      name: this.name,
      layers: this.layerList.map((layer) => {
        const node = this.nodeOf(layer);
        return { ...serializeLayer(layer), name: layer.name, inboundNodes: node ? [node.inputs.map(ref)] : [] };
      }),
      inputLayers: this.inputs.map(ref),
      outputLayers: this.outputs.map(ref),
    };
  }

  /** Rebuilds a functional model from its config (the layers are created anew). */
  static fromConfig(config: LayerConfig): Functional {
    type Entry = { className: string; config: LayerConfig; name: string; inboundNodes: NodeRef[][] };
    const entries = (config['layers'] as Entry[] | undefined) ?? [];
    const outputsByLayer = new Map<string, SymbolicTensor[]>();
    const tensor = ([name, nodeIndex]: NodeRef): SymbolicTensor => {
      const t = outputsByLayer.get(name)?.[nodeIndex];
      if (!t) throw new Error(`model config: layer "${name}" node ${nodeIndex} is used before it is defined`);
      return t;
    };
    for (const entry of entries) {
      const layer = layerFromConfig({ className: entry.className, config: entry.config });
      const outs: SymbolicTensor[] = [];
      if (layer instanceof InputLayer) outs.push(symbolicInput(layer));
      for (const refs of entry.inboundNodes) {
        const args = refs.map(tensor);
        outs.push(layer.apply(args.length === 1 ? args[0]! : args));
      }
      outputsByLayer.set(entry.name, outs);
    }
    return new Functional({
      name: config['name'] as string | undefined,
      inputs: (config['inputLayers'] as NodeRef[]).map(tensor),
      outputs: (config['outputLayers'] as NodeRef[]).map(tensor),
    });
  }
}

registerLayer('Functional', (config: LayerConfig) => Functional.fromConfig(config));
registerLayer('Model', (config: LayerConfig) => Functional.fromConfig(config));

/**
 * Makes a functional model from symbolic inputs and outputs.
 *
 * @example
 * const x = input({ shape: [4] });
 * const m = model({ inputs: x, outputs: layers.dense({ units: 2 }).apply(x) });
 */
export function model(args: FunctionalArgs): Functional {
  return new Functional(args);
}
