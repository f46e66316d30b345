// Persistent worker threads: woken by a generation counter (a short spin, then a condition
// variable), joined by an atomic countdown that every worker decrements. The pool is created once per process and never
// destroyed: detached workers parked on a condition variable are harmless at exit, whereas
// destroying a mutex they wait on is not.
#include "threadpool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
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

// How i64 an idle thread spins before sleeping: i64 enough to catch back-to-back kernel
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

struct Pool {
  int size = 1;
  std::mutex busy;  // held by the caller for the whole of one parallelRun
  std::mutex wakeMutex;
  std::condition_variable wakeCv;
  std::mutex doneMutex;
  std::condition_variable doneCv;
  std::atomic<unsigned long long> generation{0};
  std::atomic<int> pending{0};
  TaskFn fn = nullptr;
  const void* ctx = nullptr;
  int nth = 1;

  void worker(int index) {
    unsigned long long seen = 0;
    for (;;) {
      if (!spinUntil([&] { return generation.load(std::memory_order_acquire) != seen; })) {
        std::unique_lock<std::mutex> lock(wakeMutex);
        wakeCv.wait(lock, [&] { return generation.load(std::memory_order_acquire) != seen; });
      }
      seen = generation.load(std::memory_order_acquire);
      if (index < nth) fn(ctx, index, nth);
      if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(doneMutex);
        doneCv.notify_one();
      }
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
    for (int i = 1; i < p->size; ++i) std::thread([p, i] { p->worker(i); }).detach();
    return p;
  }();
  return *instance;
}

}  // namespace

int poolThreads() { return pool().size; }

void parallelRun(TaskFn fn, const void* ctx, int nth) {
  Pool& p = pool();
  if (nth > p.size) nth = p.size;
  if (nth <= 1) {
    fn(ctx, 0, 1);
    return;
  }
  std::unique_lock<std::mutex> busy(p.busy, std::try_to_lock);
  if (!busy.owns_lock()) {
    fn(ctx, 0, 1);
    return;
  }
  p.fn = fn;
  p.ctx = ctx;
  p.nth = nth;
  // Every worker acknowledges every generation (participating or not), so none can still be
  // reading fn/ctx/nth when the next call overwrites them.
  p.pending.store(p.size - 1, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(p.wakeMutex);
    p.generation.fetch_add(1, std::memory_order_acq_rel);
  }
  p.wakeCv.notify_all();
  fn(ctx, 0, nth);
  if (!spinUntil([&] { return p.pending.load(std::memory_order_acquire) == 0; })) {
    std::unique_lock<std::mutex> lock(p.doneMutex);
    p.doneCv.wait(lock, [&] { return p.pending.load(std::memory_order_acquire) == 0; });
  }
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
