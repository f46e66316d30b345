// A persistent thread pool shared by every kernel (ggml style).
//
// Every CPU kernel has one signature, `void kernel(const Params&, int ith, int nth)`: share `ith`
// of `nth` is an independent part of the work. `run` publishes the kernel to the pool; the
// calling thread and the workers claim shares until all are done, so no thread is created per
// call and a worker that is slow to wake costs nothing (the caller takes its share). Any thread
// may run any share: a share must not depend on which thread runs it (thread-local scratch is
// fine). If the pool is already busy (a second caller, e.g. a worker_thread), the call runs
// single-threaded instead of waiting; so does a call made from inside a share (a kernel that
// cuts its work into parts, one part per share, and runs threaded kernels on each part).
#pragma once

#include "types.h"

#include <cstddef>

namespace ck {

using TaskFn = void (*)(const void* ctx, int ith, int nth);

/** Threads a kernel may use: the workers plus the caller. Sized at first use. */
int poolThreads();

/** Most shares one call may have. */
constexpr int kMaxShares = 1024;

/**
 * Runs fn(ctx, i, nth) for i in [0, nth) on the pool (nth at most kMaxShares). With more shares
 * than threads, a thread that finishes early takes more of them.
 */
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

/**
 * Shares for a kernel whose shares need no per-share memory: 4 per thread threadsFor would use,
 * so a thread slowed by another process (or a slower share) hands work to the others.
 */
int sharesFor(double work, double minPerThread);

/** Splits [0, n) into nth near-equal parts aligned to `align`; returns part ith as [begin, end). */
void splitRange(i64 n, int ith, int nth, i64 align, i64* begin, i64* end);

/**
 * 64-byte aligned per-thread scratch that grows and is never shrunk. Slots: 0 and 1 packed
 * GEMM operands, 2 conv dcol chunks, 3 split-K partials, 4 im2col blocks, 5 direct-conv padded
 * images, 6 reduction partials and Winograd input tiles, 7 Winograd products, 8 and 9
 * conv2dMaxPool chunks (live across the convolution calls it makes, so apart from 0-7). A slot
 * may serve two kernels only if neither runs while the other's data is live.
 */
constexpr int kScratchSlots = 10;
float* scratch(int slot, std::size_t floats);

}  // namespace ck
