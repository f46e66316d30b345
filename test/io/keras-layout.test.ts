/**
 * Keras itself cannot be installed here, so this writes down what Keras's loaders read (from
 * keras/src/saving/saving_lib.py, serialization_lib.py and keras/src/legacy/saving/
 * legacy_h5_format.py, keras-team/keras at 3422977a5e) and checks Convkit's files against it,
 * reading them with h5py (Debian's python3-h5py, an independent HDF5 reader) the way those
 * loaders do (test/io/read_like_keras.py). Skipped, saying why, where h5py is missing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import '../../src/io/index.js';
import { input, layers } from '../../src/layers/index.js';
import { model as functional } from '../../src/models/functional.js';
import { sequential } from '../../src/models/sequential.js';
import { zoo } from '../../src/models/zoo.js';
import { setSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

/**
 * What Keras 3's `.keras` loader reads (saving_lib._load_model_from_fileobj, H5IOStore,
 * serialization_lib.deserialize_keras_object, Functional/Sequential.from_config), and what the
 * legacy `.h5` loader reads (legacy_h5_format.load_model_from_hdf5).
 */
export const KERAS_LOADER_READS = {
  keras: {
    zipMembers: ['metadata.json', 'config.json', 'model.weights.h5'], // _CONFIG_FILENAME, _METADATA_FILENAME, _VARS_FNAME_H5
    zipCompression: 0, // Keras writes ZIP_STORED; _reject_zip_bomb checks file_size against compress_size
    metadataKeys: ['keras_version', 'date_saved'], // json in metadata.json; keras_version checked on load
    objectKeys: ['module', 'class_name', 'config', 'registered_name'], // serialize_keras_object's dict
    modelExtraKeys: ['compile_config'], // model.compile_from_config(config['compile_config'])
    functionalConfigKeys: ['name', 'trainable', 'layers', 'input_layers', 'output_layers'], // functional_from_config
    functionalLayerKeys: ['name', 'inbound_nodes'], // process_layer: layer_data['name'], ['inbound_nodes']
    inboundNodeKeys: ['args', 'kwargs'], // deserialize_node: node_data['args'], ['kwargs']
    kerasTensor: { className: '__keras_tensor__', historyKey: 'keras_history' }, // [layer_name, node_index, tensor_index]
    sequentialFirstLayer: { className: 'InputLayer', shapeKey: 'batch_shape' },
    dtypePolicy: { className: 'DTypePolicy', nameKey: 'name' },
    compileConfigKeys: ['optimizer', 'loss', 'metrics'], // compile_from_config → deserialize each
    weights: {
      layerGroup: 'layers/<to_snake_case(class)>[_<n>] (counted per class, not by layer name)', // _save_container_state
      varsGroup: 'vars', // H5IOStore.get(path): path_group['vars']
      datasetNames: 'str(i) for i in range(len(variables))', // Layer.load_own_variables: store[str(i)]
      optimizerGroup: 'optimizer/vars', // iteration (int), learning_rate (float32), then slots per variable
      refused: ['SoftLink', 'ExternalLink', 'external dataset', 'virtual dataset'], // safe_get_h5_group / _dataset
    },
  },
  legacyH5: {
    rootAttrs: ['model_config', 'training_config', 'keras_version', 'backend'], // load_model_from_hdf5
    weightsGroup: 'model_weights', // safe_get_h5_group(f, 'model_weights')
    weightsAttrs: ['layer_names', 'keras_version', 'backend'], // load_weights_from_hdf5_group
    layerAttr: 'weight_names', // load_subset_weights_from_hdf5_group; names resolve relative to the layer group
    splitAttribute: 'name0, name1, … when longer than HDF5_OBJECT_HEADER_LIMIT (64512 bytes)',
    configKeys: ['class_name', 'config'], // legacy (Keras 2) configs: no module / registered_name
    sequentialShapeKey: 'batch_input_shape',
  },
} as const;

const here = dirname(fileURLToPath(import.meta.url));
const script = join(here, '../../../test/io/read_like_keras.py');
const python = '/usr/bin/python3';
let skip: string | false = false;
try {
  execFileSync(python, ['-c', 'import h5py'], { stdio: 'pipe' });
} catch {
  skip = 'h5py is not installed (apt-get install python3-h5py; .ci/run installs it)';
}

function readLikeKeras(file: string, layerPaths: string[] = []): Record<string, unknown> {
  return JSON.parse(execFileSync(python, [script, file, ...layerPaths], { encoding: 'utf8' })) as Record<string, unknown>;
}

const dir = mkdtempSync(join(tmpdir(), 'convkit-layout-'));

/** A functional model with batch norm, a depthwise convolution, a residual Add and a nested Sequential. */
function functionalModel() {
  const x = input({ shape: [8, 8, 3] });
  const c = layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(x);
  const b = layers.batchNormalization().apply(c);
  const d = layers.depthwiseConv2d({ kernelSize: 3, padding: 'same' }).apply(b);
  const s = layers.add().apply([b, d]);
  const g = layers.globalAveragePooling2d().apply(s);
  const head = sequential([layers.dense({ units: 5, inputShape: [4] }), layers.dense({ units: 2 })]);
  return functional({ inputs: x, outputs: head.apply(g) });
}

describe('our files against what Keras reads', { skip }, () => {
  it('.keras (Sequential, trained): zip members, config.json objects, weights and optimizer layout', async () => {
    setSeed(2);
    const m = zoo.seedCnn();
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const x = new Tensor(new Float32Array(4 * 784).fill(0.5), [4, 28, 28, 1]);
    const y = new Tensor(
      Float32Array.from({ length: 40 }, (_, i) => (i % 10 === 3 ? 1 : 0)),
      [4, 10],
    );
    await m.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    const file = join(dir, 'seed.keras');
    await m.save(file);
    const spec = KERAS_LOADER_READS.keras;
    const expected: Record<string, number[][]> = {
      'layers/conv2d': [[3, 3, 1, 32], [32]],
      'layers/conv2d_1': [[3, 3, 32, 64], [64]],
      'layers/dense': [[1600, 128], [128]],
      'layers/dense_1': [[128, 10], [10]],
    };
    const r = readLikeKeras(file, [...Object.keys(expected), 'layers/max_pooling2d', 'layers/flatten']) as {
      members: Record<string, { compress_type: number }>;
      metadata: Record<string, unknown>;
      config: Record<string, unknown>;
      problems: string[];
      layers: Record<string, { names: string[]; arrays: { shape: number[]; dtype: string }[] } | null>;
      optimizer: { arrays: { shape: number[]; dtype: string }[] };
      optimizer_scalars: { shape: number[]; dtype: string }[];
    };
    assert.deepEqual(Object.keys(r.members).sort(), [...spec.zipMembers].sort());
    for (const m of Object.values(r.members)) assert.equal(m.compress_type, spec.zipCompression);
    for (const k of spec.metadataKeys) assert.ok(k in r.metadata, `metadata.json lacks ${k}`);
    for (const k of [...spec.objectKeys, ...spec.modelExtraKeys]) assert.ok(k in r.config, `config.json lacks ${k}`);
    assert.equal(r.config['class_name'], 'Sequential');
    const seqLayers = (r.config['config'] as { layers: Record<string, unknown>[] }).layers;
    assert.equal(seqLayers[0]!['class_name'], spec.sequentialFirstLayer.className);
    assert.deepEqual((seqLayers[0]!['config'] as Record<string, unknown>)[spec.sequentialFirstLayer.shapeKey], [null, 28, 28, 1]);
    for (const l of seqLayers) for (const k of spec.objectKeys) assert.ok(k in l, `layer object lacks ${k}`);
    const dtype = (seqLayers[1]!['config'] as Record<string, Record<string, unknown>>)['dtype']!;
    assert.equal(dtype['class_name'], spec.dtypePolicy.className);
    assert.equal((dtype['config'] as Record<string, unknown>)[spec.dtypePolicy.nameKey], 'float32');
    for (const k of spec.compileConfigKeys) assert.ok(k in (r.config['compile_config'] as object), `compile_config lacks ${k}`);
    assert.deepEqual(r.problems, []);
    for (const [path, shapes] of Object.entries(expected)) {
      const v = r.layers[path];
      assert.ok(v, `no ${path}/vars`);
      assert.deepEqual(
        v.names,
        shapes.map((_, i) => String(i)),
      );
      assert.deepEqual(
        v.arrays.map((a) => a.shape),
        shapes,
        path,
      );
      for (const a of v.arrays) assert.equal(a.dtype, 'float32');
    }
    assert.equal(r.layers['layers/max_pooling2d'], null, 'layers without variables have no vars group');
    // optimizer/vars: iteration, learning_rate, then (momentum, velocity) per trainable variable.
    assert.equal(r.optimizer.arrays.length, 2 + 2 * 8);
    assert.deepEqual(r.optimizer_scalars, [
      { dtype: 'int64', shape: [] },
      { dtype: 'float32', shape: [] },
    ]);
    assert.deepEqual(r.optimizer.arrays[2]!.shape, [3, 3, 1, 32]);
    assert.deepEqual(r.optimizer.arrays[3]!.shape, [3, 3, 1, 32]);
    assert.deepEqual(r.optimizer.arrays[4]!.shape, [32]);
  });

  it('.keras (Functional): __keras_tensor__ inbound nodes, per-class counters, nested model paths', async () => {
    setSeed(3);
    const m = functionalModel();
    const file = join(dir, 'functional.keras');
    await m.save(file);
    const spec = KERAS_LOADER_READS.keras;
    const paths = [
      'layers/conv2d',
      'layers/batch_normalization',
      'layers/depthwise_conv2d',
      'layers/sequential/layers/dense',
      'layers/sequential/layers/dense_1',
    ];
    const r = readLikeKeras(file, paths) as {
      config: { class_name: string; config: Record<string, unknown> };
      layers: Record<string, { arrays: { shape: number[] }[] } | null>;
    };
    assert.equal(r.config.class_name, 'Functional');
    for (const k of spec.functionalConfigKeys) assert.ok(k in r.config.config, `functional config lacks ${k}`);
    const entries = r.config.config['layers'] as Record<string, unknown>[];
    for (const e of entries) for (const k of spec.functionalLayerKeys) assert.ok(k in e, `layer entry lacks ${k}`);
    const add = entries.find((e) => e['class_name'] === 'Add')!;
    const node = (add['inbound_nodes'] as Record<string, unknown>[])[0]!;
    for (const k of spec.inboundNodeKeys) assert.ok(k in node, `inbound node lacks ${k}`);
    const tensors = (node['args'] as Record<string, unknown>[][])[0]!;
    assert.equal(tensors.length, 2);
    for (const t of tensors) {
      assert.equal(t['class_name'], spec.kerasTensor.className);
      const history = (t['config'] as Record<string, unknown>)[spec.kerasTensor.historyKey] as unknown[];
      assert.equal(history.length, 3);
    }
    assert.deepEqual(
      r.layers['layers/conv2d']!.arrays.map((a) => a.shape),
      [[3, 3, 3, 4], [4]],
    );
    assert.deepEqual(
      r.layers['layers/batch_normalization']!.arrays.map((a) => a.shape),
      [[4], [4], [4], [4]],
    );
    assert.deepEqual(
      r.layers['layers/depthwise_conv2d']!.arrays.map((a) => a.shape),
      [[3, 3, 4, 1], [4]],
    );
    assert.deepEqual(
      r.layers['layers/sequential/layers/dense']!.arrays.map((a) => a.shape),
      [[4, 5], [5]],
    );
    assert.deepEqual(
      r.layers['layers/sequential/layers/dense_1']!.arrays.map((a) => a.shape),
      [[5, 2], [2]],
    );
  });

  it('legacy .h5: root attributes, layer_names (also split when long), weight_names resolving to datasets', async () => {
    setSeed(4);
    const spec = KERAS_LOADER_READS.legacyH5;
    const m = zoo.seedCnn();
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const file = join(dir, 'seed.h5');
    await m.save(file);
    const r = readLikeKeras(file) as {
      root_attrs: string[];
      model_config: Record<string, unknown>;
      training_config: Record<string, unknown>;
      weights_attrs: string[];
      layer_names: string[];
      layers: Record<string, { name: string; shape: number[]; dtype: string }[]>;
      problems: string[];
    };
    for (const k of spec.rootAttrs) assert.ok(r.root_attrs.includes(k), `root lacks ${k}`);
    for (const k of spec.weightsAttrs) assert.ok(r.weights_attrs.includes(k), `model_weights lacks ${k}`);
    assert.deepEqual(Object.keys(r.model_config).sort(), [...spec.configKeys].sort());
    const first = (r.model_config['config'] as { layers: { config: Record<string, unknown> }[] }).layers[0]!;
    assert.deepEqual(first.config[spec.sequentialShapeKey], [null, 28, 28, 1]);
    assert.deepEqual(
      r.layer_names,
      m.layers.map((l) => l.name),
    );
    const conv = m.layers[0]!.name;
    assert.deepEqual(
      r.layers[conv]!.map((w) => [w.name, w.shape, w.dtype]),
      [
        [`${conv}/kernel:0`, [3, 3, 1, 32], 'float32'],
        [`${conv}/bias:0`, [32], 'float32'],
      ],
    );
    assert.equal((r.training_config['optimizer_config'] as Record<string, unknown>)['class_name'], 'SGD');
    assert.deepEqual(r.problems, []);

    // A model with enough layers that layer_names passes HDF5's 64 KiB header limit is split.
    const many = sequential([layers.flatten({ inputShape: [2, 2, 1], name: 'f'.repeat(60) })]);
    for (let i = 0; i < 1200; i++) many.add(layers.activation({ activation: 'linear', name: `a_${i}_${'x'.repeat(50)}` }));
    const big = join(dir, 'many.h5');
    await many.save(big);
    const rb = readLikeKeras(big) as { weights_attrs: string[]; layer_names: string[] };
    assert.ok(rb.weights_attrs.includes('layer_names0') && !rb.weights_attrs.includes('layer_names'), rb.weights_attrs.join(','));
    assert.equal(rb.layer_names.length, 1201);
  });
});
