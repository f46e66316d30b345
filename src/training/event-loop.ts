/**
 * Giving the event loop a turn during long computations: fit, evaluate and predictAsync call
 * `maybeYield` after each batch, and it yields only when `YIELD_MS` have passed since the last
 * turn, so timers, I/O and a server in the same process keep running during an epoch at no
 * measurable cost (a yield every ~100 ms, not per batch).
 */

/** Longest stretch of batches run without giving the event loop a turn. */
export const YIELD_MS = 100;

const nextTurn: () => Promise<void> =
  typeof setImmediate === 'function'
    ? () => new Promise((resolve) => setImmediate(resolve))
    : () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * A clock of the last yield; `maybeYield()` awaits one event-loop turn when `YIELD_MS` passed.
 *
 * @example
 * const loop = new EventLoopTurns();
 * for (const batch of batches) { step(batch); await loop.maybeYield(); }
 */
export class EventLoopTurns {
  private last = performance.now();
  async maybeYield(): Promise<void> {
    if (performance.now() - this.last < YIELD_MS) return;
    await nextTurn();
    this.last = performance.now();
  }
}
