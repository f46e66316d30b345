/**
 * Size limits for the readers: a header's sizes are checked against these and against the file
 * before anything is allocated (zip and shape bombs). Keras's saving_lib uses the same idea
 * (declared size against bytes stored, with an expansion factor).
 */
export const limits = {
  /** A compressed member or dataset may expand at most this much (Keras: 100 for zip members). */
  maxExpansion: 100,
  /** Slack below which expansion is not judged (tiny members compress unpredictably). */
  smallFileBytes: 1 << 16,
  /** No single array larger than this (2 GiB), whatever the file says. */
  maxArrayBytes: 2 ** 31,
  /** At most this many objects in an HDF5 file. */
  maxH5Objects: 100_000,
  /** JSON members (config.json, model.json) at most this size. */
  maxJsonBytes: 64 * 1024 * 1024,
  /** At most this many members in a zip archive. */
  maxZipMembers: 10_000,
};
