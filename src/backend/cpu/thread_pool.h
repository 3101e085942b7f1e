// A fixed pool of worker threads for splitting large kernels across cores.
#pragma once

#include <cstdint>
#include <type_traits>
#include <utility>

namespace jx::cpu {

// A non-owning reference to a callable taking a chunk [begin, end): a kernel's loop body.
// Unlike std::function it never allocates (every kernel call builds one).
class ChunkFn {
 public:
  template <class F>
  requires(!std::is_same_v<std::remove_cvref_t<F>, ChunkFn>)
      ChunkFn(const F& f)  // NOLINT: implicit, as std::function
      : object_(&f),
        invoke_([](const void* o, int64_t b, int64_t e) { (*static_cast<const F*>(o))(b, e); }) {}
  void operator()(int64_t begin, int64_t end) const { invoke_(object_, begin, end); }

 private:
  const void* object_;
  void (*invoke_)(const void*, int64_t, int64_t);
};

// Number of threads kernels may use (the calling thread included). JX_NUM_THREADS overrides
// the default of std::thread::hardware_concurrency().
int num_threads();

// Calls fn(begin, end) over disjoint chunks covering [0, n), on up to num_threads() threads
// (the caller runs one chunk). Runs inline when n < 2 * grain or when called from a worker.
// `grain` is the smallest chunk worth a thread (in the units of n).
void parallel_for(int64_t n, int64_t grain, ChunkFn fn);

// Below this many bytes touched, a kernel is not worth splitting.
inline constexpr int64_t kParallelBytes = int64_t{1} << 17;

}  // namespace jx::cpu
