// A persistent thread pool shared by every kernel (ggml style).
//
// Every CPU kernel has one signature, `void kernel(const Params&, int ith, int nth)`: thread `ith`
// of `nth` does its share of the work. `run` hands the kernel to the pool's workers and does
// share 0 on the calling thread, so no thread is ever created per call. If the pool is already
// busy (a second caller, e.g. a worker_thread), the call runs single-threaded instead of waiting.
#pragma once

#include "types.h"

#include <cstddef>

namespace ck {

using TaskFn = void (*)(const void* ctx, int ith, int nth);

/** Threads a kernel may use: the workers plus the caller. Sized at first use. */
int poolThreads();

/** Runs fn(ctx, i, nth) for i in [0, nth) on the pool; nth is clamped to [1, poolThreads()]. */
void parallelRun(TaskFn fn, const void* ctx, int nth);

/** Typed convenience over parallelRun. */
template <class P>
void run(void (*kernel)(const P&, int, int), const P& params, int nth) {
  struct Thunk {
    void (*kernel)(const P&, int, int);
    const P* params;
  } thunk{kernel, &params};
  parallelRun(
      [](const void* ctx, int ith, int n) {
        const Thunk* t = static_cast<const Thunk*>(ctx);
        t->kernel(*t->params, ith, n);
      },
      &thunk, nth);
}

/**
 * How many threads a kernel doing `work` units should use: one below `minPerThread` units per
 * thread (synchronisation would cost more than it saves), else up to poolThreads().
 */
int threadsFor(double work, double minPerThread);

/** Splits [0, n) into nth near-equal parts aligned to `align`; returns part ith as [begin, end). */
void splitRange(i64 n, int ith, int nth, i64 align, i64* begin, i64* end);

/**
 * 64-byte aligned per-thread scratch that grows and is never shrunk. Slots: 0 and 1 packed
 * GEMM operands, 2 conv dcol chunks, 3 split-K partials, 4 im2col blocks, 5-7 free.
 */
constexpr int kScratchSlots = 8;
float* scratch(int slot, std::size_t floats);

}  // namespace ck
