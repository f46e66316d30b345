/**
 * Atomic file replacement for the model-file writers: the primitive lives in src/util/atomic-write.ts
 * (below training in the pipeline, so training's backups use it without importing io/).
 */
export { writeFileAtomic } from '../util/atomic-write.js';
