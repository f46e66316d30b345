/**
 * Keras configs in the forms different Keras versions write (keys and shapes as in
 * keras/src/saving/serialization_lib.py and keras/src/models/functional.py): Keras 3.0's plain
 * dtype strings and single-tensor `input_layers`, later 3.x DTypePolicy objects (with
 * shared_object_id), tf.keras 2's `Model` class and nested-list nodes; and options Convkit cannot
 * honour refused by name instead of ignored.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layerFromKeras, toKeras } from '../../src/io/keras-config.js';
import '../../src/layers/index.js';
import { serializeLayer } from '../../src/layers/registry.js';
import type { Model } from '../../src/models/model.js';
import '../../src/models/functional.js';
import '../../src/models/sequential.js';

const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null, shared_object_id: 140 };
const glorot = { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null }, registered_name: null };
const zeros = { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null };
const tensor = (name: string, shape: (number | null)[]) => ({
  class_name: '__keras_tensor__',
  config: { shape, dtype: 'float32', keras_history: [name, 0, 0] },
});

function conv(name: string, extra: Record<string, unknown> = {}) {
  return {
    module: 'keras.layers',
    class_name: 'Conv2D',
    config: {
      name,
      trainable: true,
      dtype: policy,
      filters: 2,
      kernel_size: [3, 3],
      strides: [1, 1],
      padding: 'same',
      data_format: 'channels_last',
      dilation_rate: [1, 1],
      groups: 1,
      activation: 'relu',
      use_bias: true,
      kernel_initializer: glorot,
      bias_initializer: zeros,
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
      lora_rank: null,
      ...extra,
    },
    registered_name: null,
    build_config: { input_shape: [null, 5, 5, 1] },
  };
}

/** A Keras 3 functional config: InputLayer → Conv2D → Add(input-conv… via a second conv) → GAP. */
function keras3Functional(inputLayers: unknown, dtype: unknown = policy) {
  return {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: {
      name: 'functional',
      trainable: true,
      layers: [
        {
          module: 'keras.layers',
          class_name: 'InputLayer',
          config: { batch_shape: [null, 5, 5, 1], dtype: 'float32', sparse: false, name: 'input_layer' },
          registered_name: null,
          name: 'input_layer',
          inbound_nodes: [],
        },
        { ...conv('conv2d'), name: 'conv2d', inbound_nodes: [{ args: [tensor('input_layer', [null, 5, 5, 1])], kwargs: {} }] },
        { ...conv('conv2d_1', { dtype }), name: 'conv2d_1', inbound_nodes: [{ args: [tensor('conv2d', [null, 5, 5, 2])], kwargs: {} }] },
        {
          module: 'keras.layers',
          class_name: 'Add',
          config: { name: 'add', trainable: true, dtype: policy },
          registered_name: null,
          name: 'add',
          inbound_nodes: [{ args: [[tensor('conv2d', [null, 5, 5, 2]), tensor('conv2d_1', [null, 5, 5, 2])]], kwargs: {} }],
        },
        {
          module: 'keras.layers',
          class_name: 'GlobalAveragePooling2D',
          config: { name: 'gap', trainable: true, dtype: policy, data_format: 'channels_last', keepdims: false },
          registered_name: null,
          name: 'gap',
          inbound_nodes: [{ args: [tensor('add', [null, 5, 5, 2])], kwargs: {} }],
        },
      ],
      input_layers: inputLayers,
      output_layers: [['gap', 0, 0]],
    },
    registered_name: 'Functional',
  };
}

describe('Keras configs across versions', () => {
  it('Keras 3.x (DTypePolicy with shared_object_id, list input_layers) and 3.0 (dtype strings, a single input ref)', () => {
    for (const [inputs, dtype] of [
      [[['input_layer', 0, 0]], policy],
      [['input_layer', 0, 0], 'float32'],
    ] as const) {
      const m = layerFromKeras(keras3Functional(inputs, dtype), 'test') as Model;
      assert.deepEqual(
        m.layers.map((l) => `${l.className}:${l.name}`),
        ['InputLayer:input_layer', 'Conv2D:conv2d', 'Conv2D:conv2d_1', 'Add:add', 'GlobalAveragePooling2D:gap'],
      );
      assert.deepEqual(m.outputShape, [null, 2]);
      assert.equal(m.countParams(), 3 * 3 * 1 * 2 + 2 + (3 * 3 * 2 * 2 + 2));
    }
  });

  it('tf.keras 2: class Model, nested-list nodes with kwargs, batch_input_shape, ragged', () => {
    const config = {
      class_name: 'Model',
      config: {
        name: 'model',
        layers: [
          {
            class_name: 'InputLayer',
            config: { batch_input_shape: [null, 4], dtype: 'float32', sparse: false, ragged: false, name: 'input_1' },
            name: 'input_1',
            inbound_nodes: [],
          },
          {
            class_name: 'Dense',
            config: {
              name: 'dense',
              trainable: true,
              dtype: 'float32',
              units: 3,
              activation: 'softmax',
              use_bias: true,
              kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
              bias_initializer: { class_name: 'Zeros', config: {} },
              kernel_regularizer: null,
              bias_regularizer: null,
              activity_regularizer: null,
              kernel_constraint: null,
              bias_constraint: null,
            },
            name: 'dense',
            inbound_nodes: [[['input_1', 0, 0, {}]]],
          },
        ],
        input_layers: [['input_1', 0, 0]],
        output_layers: [['dense', 0, 0]],
      },
      keras_version: '2.15.0',
      backend: 'tensorflow',
    };
    const m = layerFromKeras(config, 'test') as Model;
    assert.equal(m.className, 'Functional');
    assert.deepEqual(m.outputShape, [null, 3]);
    // Written back as Keras 2 (legacy .h5 / model.json) and read again: the same config.
    assert.deepEqual(
      serializeLayer(layerFromKeras(toKeras(serializeLayer(m), 'keras2'), 'again')).config['layers'],
      serializeLayer(m).config['layers'],
    );
  });

  it('options Convkit cannot honour are refused by name, not ignored', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ groups: 2 }, /option 'groups': expected 1 .*received 2/],
      [{ data_format: 'channels_first' }, /data_format: expected 'channels_last' \(NHWC\), received channels_first/],
      [{ dtype: { ...policy, config: { name: 'mixed_float16' } } }, /dtype: expected float32 or float64, received mixed_float16/],
      [{ kernel_constraint: { class_name: 'MaxNorm', config: { max_value: 2 } } }, /option 'kernel_constraint': expected null/],
    ];
    for (const [extra, message] of bad) {
      const config = keras3Functional([['input_layer', 0, 0]]);
      (config.config.layers[1] as { config: Record<string, unknown> }).config = { ...conv('conv2d').config, ...extra };
      assert.throws(() => layerFromKeras(config, 'm.keras: config.json'), message);
    }
  });
});
