/**
 * Serving models over HTTP: `serve(models, options)` with TensorFlow Serving's REST API,
 * dynamic batching, Prometheus metrics and the draw-a-digit page (web/).
 */
export { serve, type RunningServer, type ServeOptions } from './server.js';
export { Batcher, type BatcherOptions, type PredictFn } from './batcher.js';
export { HttpError } from './http-error.js';
