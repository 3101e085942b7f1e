// A fixed pool of worker threads for splitting large kernels across cores.
#pragma once

#include <cstdint>
#include <functional>

namespace jx::cpu {

// Number of threads kernels may use (the calling thread included). JX_NUM_THREADS overrides
// the default of std::thread::hardware_concurrency().
int num_threads();

// Calls fn(begin, end) over disjoint chunks covering [0, n), on up to num_threads() threads
// (the caller runs one chunk). Runs inline when n < 2 * grain or when called from a worker.
// `grain` is the smallest chunk worth a thread (in the units of n).
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

// Below this many bytes touched, a kernel is not worth splitting.
inline constexpr int64_t kParallelBytes = int64_t{1} << 17;

}  // namespace jx::cpu
