/**
 * The ONNX protobuf codec: the official schema (onnx.proto3, next to this file's source, copied
 * verbatim from github.com/onnx/onnx at commit f7546912, Apache-2.0) parsed by protobufjs, and
 * the plain-object shapes of the messages Convkit reads and writes (snake_case, as in the schema).
 */
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

/** TensorProto.DataType values Convkit handles. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;

/** AttributeProto.AttributeType values. */
export const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export interface TensorProto {
  name?: string;
  dims?: number[];
  data_type?: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  double_data?: number[];
  data_location?: number;
  external_data?: { key: string; value: string }[];
}

export interface AttributeProto {
  name: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  g?: unknown;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}

export interface NodeProto {
  input?: string[];
  output?: string[];
  name?: string;
  op_type: string;
  domain?: string;
  attribute?: AttributeProto[];
}

export interface Dimension {
  dim_value?: number;
  dim_param?: string;
}

export interface ValueInfoProto {
  name: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: Dimension[] } } };
}

export interface GraphProto {
  name?: string;
  node?: NodeProto[];
  initializer?: TensorProto[];
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
  value_info?: ValueInfoProto[];
}

export interface ModelProto {
  ir_version?: number;
  opset_import?: { domain?: string; version?: number }[];
  producer_name?: string;
  producer_version?: string;
  doc_string?: string;
  graph?: GraphProto;
}

let modelType: protobuf.Type | null = null;

/** The ModelProto type, parsed from the schema on first use. */
function modelProtoType(): protobuf.Type {
  if (!modelType) {
    // build/src/io/onnx/proto.js → the schema stays in src/ (tsc copies no data files).
    const schema = readFileSync(new URL('../../../../src/io/onnx/onnx.proto3', import.meta.url), 'utf8');
    modelType = protobuf.parse(schema, { keepCase: true }).root.lookupType('onnx.ModelProto');
  }
  return modelType;
}

/**
 * Serializes a model to the ONNX wire format.
 * @example const bytes = encodeModel({ ir_version: 8, opset_import: [{ version: 17 }], graph });
 */
export function encodeModel(model: ModelProto): Uint8Array {
  const type = modelProtoType();
  const problem = type.verify(model);
  if (problem) throw new Error(`ONNX export: the model message is malformed: ${problem}`);
  const bytes = type.encode(type.fromObject(model)).finish();
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength); // a plain Uint8Array, not a Buffer
}

/**
 * Parses ONNX bytes; `where` (a file name) starts the error if they are not a valid ModelProto.
 * @example const model = decodeModel(readFileSync('m.onnx'), 'm.onnx');
 */
export function decodeModel(bytes: Uint8Array, where: string): ModelProto {
  const type = modelProtoType();
  let message: protobuf.Message;
  try {
    message = type.decode(bytes);
  } catch (e) {
    throw new Error(`${where}: not an ONNX model (protobuf ModelProto): ${(e as Error).message}`);
  }
  return type.toObject(message, { longs: Number, defaults: false }) as ModelProto;
}

/**
 * Parses a serialized TensorProto (the .pb files of ONNX's test data).
 * @example const t = decodeTensorProto(readFileSync('input_0.pb'), 'input_0.pb');
 */
export function decodeTensorProto(bytes: Uint8Array, where: string): TensorProto {
  const type = modelProtoType().root.lookupType('onnx.TensorProto');
  try {
    return type.toObject(type.decode(bytes), { longs: Number, defaults: false }) as TensorProto;
  } catch (e) {
    throw new Error(`${where}: not an ONNX TensorProto: ${(e as Error).message}`);
  }
}
