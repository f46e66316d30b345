/**
 * The native backend's environment variables, checked in one place before the addon loads
 * (the C++ reads them too, but silently falls back on a bad value): CONVKIT_NUM_THREADS a whole
 * number 1…256, CONVKIT_NATIVE_ISA one of portable, avx2, avx512, auto. A thread count above the
 * core count is allowed but warned about (oversubscribed threads make every step slower).
 */

/** The largest pool the native backend makes (threadpool.cc). */
export const MAX_THREADS = 256;
const ISAS = ['auto', 'portable', 'avx2', 'avx512'];

/**
 * `error`: a one-line refusal naming the variable, what is allowed and what was set;
 * `warning`: a one-line caution. Both absent when the environment is fine.
 *
 * @example
 * checkNativeEnvironment({ CONVKIT_NUM_THREADS: 'abc' }, 2).error;
 * // "CONVKIT_NUM_THREADS: expected a whole number of threads from 1 to 256, received 'abc'"
 */
export function checkNativeEnvironment(env: Record<string, string | undefined>, cores: number): { error?: string; warning?: string } {
  const threads = env['CONVKIT_NUM_THREADS'];
  const isa = env['CONVKIT_NATIVE_ISA'];
  if (isa !== undefined && isa !== '' && !ISAS.includes(isa)) {
    return { error: `CONVKIT_NATIVE_ISA: expected one of ${ISAS.join(', ')}, received '${isa}'` };
  }
  if (threads === undefined || threads === '') return {};
  const n = /^\d+$/.test(threads.trim()) ? Number(threads.trim()) : NaN;
  if (!(n >= 1 && n <= MAX_THREADS)) {
    return { error: `CONVKIT_NUM_THREADS: expected a whole number of threads from 1 to ${MAX_THREADS}, received '${threads}'` };
  }
  if (n > cores) {
    return {
      warning: `CONVKIT_NUM_THREADS=${n} is more than the ${cores} cores of this machine; threads will share cores and every step will be slower`,
    };
  }
  return {};
}
