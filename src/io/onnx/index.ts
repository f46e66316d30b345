/**
 * ONNX both ways: `exportOnnx`/`saveOnnx` write any Convkit model as ONNX (opset 17) for ONNX
 * Runtime or Triton; `importOnnx`/`loadOnnx` read CNNs exported by PyTorch into Convkit.
 * Importing this module also registers the layers imported graphs may contain (OnnxPool2D...).
 */
export { exportOnnx, saveOnnx, type ExportOnnxOptions } from './export.js';
export { importOnnx, loadOnnx, supportedOnnxOps, type ImportOnnxOptions } from './import.js';
