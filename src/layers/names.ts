/**
 * Names as configs spell them: Keras 3 and Keras 2 write `glorot_uniform`, `GlorotUniform`,
 * `fan_in`; TensorFlow.js writes `glorotUniform`, `leCunNormal`, `fanIn`. One key for all of them
 * lets initializers and activations be looked up in any spelling.
 */

/**
 * The spelling-free key of a name: `glorot_uniform`, `GlorotUniform` and `glorotUniform` all
 * become `glorotuniform`.
 *
 * @example
 * nameKey('hard_sigmoid') === nameKey('hardSigmoid'); // true
 */
export function nameKey(name: string): string {
  return name.replace(/[_\s-]/g, '').toLowerCase();
}

const camel = (key: string): string => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * Throws for an option the receiver does not know: a Python/Keras spelling (`kernel_size`) is
 * answered with the camelCase name (`kernelSize`); with `allowed`, any other unknown key is
 * named with the list of known ones.
 *
 * @example
 * checkOptionNames({ batch_size: 32 }, ['epochs', 'batchSize'], 'fit');
 * // Error: fit: unknown option 'batch_size'; did you mean batchSize?
 */
export function checkOptionNames(options: unknown, allowed: readonly string[] | null, where: string): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error(
      `${where}: expected an options object { ... }, received ${Array.isArray(options) ? 'an array' : JSON.stringify(options)}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (allowed ? allowed.includes(key) : !key.includes('_')) continue;
    const suggestion = camel(key);
    if (suggestion !== key && (!allowed || allowed.includes(suggestion))) {
      throw new Error(`${where}: unknown option '${key}'; did you mean ${suggestion}? (options are camelCase, as in TensorFlow.js)`);
    }
    throw new Error(`${where}: unknown option '${key}'; expected one of ${allowed!.join(', ')}`);
  }
}
