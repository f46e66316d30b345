// Persistent worker threads. A job is published as a ticket (generation, share count, next
// unclaimed share); the caller and every woken worker claim shares from it with a CAS until none
// is left, so a worker the OS has not scheduled yet (a busy 2-core machine, or one still waking
// from its condition variable) never holds the caller up: the caller runs that share itself.
// Idle workers spin briefly, then sleep on a condition variable. The pool is created once per
// process and never destroyed: detached workers parked on a condition variable are harmless at
// exit, whereas destroying a mutex they wait on is not.
#include "threadpool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#if defined(_WIN32)
#include <malloc.h>
#endif
#include <mutex>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CK_PAUSE() _mm_pause()
#else
#define CK_PAUSE() ((void)0)
#endif

namespace ck {
namespace {

// How long an idle thread spins before sleeping: long enough to catch back-to-back kernel
// calls, short enough not to hold a core the rest of the program (or another process) needs.
constexpr auto kSpin = std::chrono::microseconds(100);

// Spins until done() or kSpin has passed; true if done.
template <class Done>
bool spinUntil(Done done) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (done()) return true;
      CK_PAUSE();
    }
    if (std::chrono::steady_clock::now() - start > kSpin) return done();
  }
}

// Shares this thread is running (nested parallelRun calls from inside a share run inline).
thread_local int tShareDepth = 0;

// Ticket layout: generation in the high 32 bits, share count in 16, next unclaimed share in 16.
constexpr uint64_t ticketOf(uint32_t gen, int nth, int next) {
  return (uint64_t{gen} << 32) | (uint64_t(nth) << 16) | uint64_t(next);
}
constexpr uint32_t generationOf(uint64_t t) { return static_cast<uint32_t>(t >> 32); }
constexpr int countOf(uint64_t t) { return static_cast<int>((t >> 16) & 0xFFFF); }
constexpr int nextOf(uint64_t t) { return static_cast<int>(t & 0xFFFF); }

struct Pool {
  int size = 1;
  std::mutex busy;  // held by the caller for the whole of one parallelRun
  std::mutex wakeMutex;
  std::condition_variable wakeCv;
  std::mutex doneMutex;
  std::condition_variable doneCv;
  // The job: written by the caller before the ticket that announces it. A share can be claimed
  // only while the ticket still names its generation, and the caller does not return (so cannot
  // overwrite fn and ctx) before every share of that generation has finished.
  std::atomic<TaskFn> fn{nullptr};
  std::atomic<const void*> ctx{nullptr};
  std::atomic<uint64_t> ticket{0};
  std::atomic<int> remaining{0};  // shares of the current job not yet finished

  // Claims and runs shares of the current job until none is left.
  void help() {
    uint64_t t = ticket.load(std::memory_order_acquire);
    for (;;) {
      const int nth = countOf(t), i = nextOf(t);
      if (i >= nth) return;
      const TaskFn f = fn.load(std::memory_order_relaxed);
      const void* c = ctx.load(std::memory_order_relaxed);
      if (!ticket.compare_exchange_weak(t, t + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
      ++tShareDepth;
      f(c, i, nth);
      --tShareDepth;
      if (remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(doneMutex);
        doneCv.notify_one();
      }
      t = ticket.load(std::memory_order_acquire);
    }
  }

  void worker() {
    uint32_t seen = 0;
    const auto fresh = [&] { return generationOf(ticket.load(std::memory_order_acquire)) != seen; };
    for (;;) {
      if (!spinUntil(fresh)) {
        std::unique_lock<std::mutex> lock(wakeMutex);
        wakeCv.wait(lock, fresh);
      }
      seen = generationOf(ticket.load(std::memory_order_acquire));
      help();
    }
  }
};

int configuredThreads() {
  const char* env = std::getenv("CONVKIT_NUM_THREADS");
  if (env != nullptr && *env != '\0') {
    char* end = nullptr;
    i64 v = std::strtol(env, &end, 10);
    if (end != nullptr && *end == '\0' && v >= 1 && v <= 256) return static_cast<int>(v);
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw > 256 ? 256 : hw);
}

Pool& pool() {
  static Pool* instance = [] {
    Pool* p = new Pool();  // intentionally never freed, see the header comment
    p->size = configuredThreads();
    for (int i = 1; i < p->size; ++i) std::thread([p] { p->worker(); }).detach();
    return p;
  }();
  return *instance;
}

}  // namespace

int poolThreads() { return pool().size; }

void parallelRun(TaskFn fn, const void* ctx, int nth) {
  Pool& p = pool();
  if (nth > kMaxShares) nth = kMaxShares;
  if (nth <= 1) {
    fn(ctx, 0, 1);
    return;
  }
  if (tShareDepth > 0) {  // called from inside a share: the pool is this job's; the shares in turn
    for (int i = 0; i < nth; ++i) fn(ctx, i, nth);
    return;
  }
  std::unique_lock<std::mutex> busy(p.busy, std::try_to_lock);
  if (p.size == 1 || !busy.owns_lock()) {  // no workers to help: the shares in turn
    for (int i = 0; i < nth; ++i) fn(ctx, i, nth);
    return;
  }
  p.fn.store(fn, std::memory_order_relaxed);
  p.ctx.store(ctx, std::memory_order_relaxed);
  p.remaining.store(nth, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(p.wakeMutex);
    const uint32_t gen = generationOf(p.ticket.load(std::memory_order_relaxed)) + 1;
    p.ticket.store(ticketOf(gen, nth, 0), std::memory_order_release);
  }
  p.wakeCv.notify_all();
  p.help();
  const auto finished = [&] { return p.remaining.load(std::memory_order_acquire) == 0; };
  if (!spinUntil(finished)) {
    std::unique_lock<std::mutex> lock(p.doneMutex);
    p.doneCv.wait(lock, finished);
  }
}

int sharesFor(double work, double minPerThread) {
  const int n = threadsFor(work, minPerThread);
  return n > 1 ? 4 * n : 1;
}

int threadsFor(double work, double minPerThread) {
  int n = poolThreads();
  if (work < 2 * minPerThread) return 1;
  double fit = work / minPerThread;
  return fit < n ? static_cast<int>(fit) : n;
}

void splitRange(i64 n, int ith, int nth, i64 align, i64* begin, i64* end) {
  if (align < 1) align = 1;
  i64 units = (n + align - 1) / align;
  i64 b = units * ith / nth * align;
  i64 e = units * (ith + 1) / nth * align;
  *begin = b < n ? b : n;
  *end = e < n ? e : n;
}

float* scratch(int slot, std::size_t floats) {
  struct Buffers {
    float* data[kScratchSlots] = {};
    std::size_t size[kScratchSlots] = {};
    ~Buffers() {
      for (float* d : data) release(d);
    }
    static void release(float* d) {
#if defined(_WIN32)
      _aligned_free(d);
#else
      std::free(d);
#endif
    }
  };
  thread_local Buffers buffers;
  if (buffers.size[slot] < floats) {
    Buffers::release(buffers.data[slot]);
    std::size_t bytes = ((floats * sizeof(float) + 63) / 64) * 64;
#if defined(_WIN32)
    buffers.data[slot] = static_cast<float*>(_aligned_malloc(bytes, 64));
#else
    buffers.data[slot] = static_cast<float*>(std::aligned_alloc(64, bytes));
#endif
    if (buffers.data[slot] == nullptr) std::abort();
    buffers.size[slot] = bytes / sizeof(float);
  }
  return buffers.data[slot];
}

}  // namespace ck
