// Workers sleep on a condition variable between jobs; a job is a chunked range claimed with an
// atomic counter, so uneven chunks balance themselves.
#include "backend/cpu/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace jx::cpu {
namespace {

thread_local bool t_in_worker = false;

class ThreadPool {
 public:
  explicit ThreadPool(int n) {
    for (int i = 0; i < n - 1; ++i) workers_.emplace_back([this] { worker_loop(); });
  }
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
  }
  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void run(int64_t n, int64_t chunks, const ChunkFn& fn) {
    std::lock_guard<std::mutex> job_lock(job_mu_);  // one parallel job at a time
    Job job;
    job.fn = &fn;
    job.n = n;
    job.chunks = chunks;
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_ = &job;
      ++generation_;
    }
    cv_.notify_all();
    work_on(job);
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, [&] { return job.active == 0 && job.next.load() >= job.chunks; });
    job_ = nullptr;
    if (job.error) std::rethrow_exception(job.error);
  }

 private:
  struct Job {
    const ChunkFn* fn = nullptr;
    int64_t n = 0;
    int64_t chunks = 0;
    std::atomic<int64_t> next{0};
    int active = 0;  // guarded by mu_
    std::exception_ptr error;
  };

  void work_on(Job& job) {
    for (;;) {
      int64_t c = job.next.fetch_add(1);
      if (c >= job.chunks) return;
      int64_t begin = job.n * c / job.chunks;
      int64_t end = job.n * (c + 1) / job.chunks;
      try {
        (*job.fn)(begin, end);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu_);
        if (!job.error) job.error = std::current_exception();
      }
    }
  }

  void worker_loop() {
    t_in_worker = true;
    uint64_t seen = 0;
    for (;;) {
      Job* job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stop_ || (job_ && generation_ != seen); });
        if (stop_) return;
        seen = generation_;
        job = job_;
        ++job->active;
      }
      work_on(*job);
      {
        std::lock_guard<std::mutex> lock(mu_);
        --job->active;
      }
      done_cv_.notify_all();
    }
  }

  std::vector<std::thread> workers_;
  std::mutex job_mu_;
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  Job* job_ = nullptr;
  uint64_t generation_ = 0;
  bool stop_ = false;
};

int default_threads() {
  if (const char* env = std::getenv("JX_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

ThreadPool& pool() {
  // Leaked on purpose: kernels may run during static destruction of user objects.
  static ThreadPool* p = new ThreadPool(default_threads());
  return *p;
}

}  // namespace

int num_threads() { return pool().size(); }

void parallel_for(int64_t n, int64_t grain, ChunkFn fn) {
  if (n <= 0) return;
  int threads = num_threads();
  grain = std::max<int64_t>(grain, 1);
  if (threads == 1 || t_in_worker || n < 2 * grain) {
    fn(0, n);
    return;
  }
  int64_t chunks = std::min<int64_t>(n / grain, int64_t{threads} * 4);
  // The caller works on chunks too; a parallel_for nested inside fn must then run inline.
  struct InWorker {
    InWorker() { t_in_worker = true; }
    ~InWorker() { t_in_worker = false; }
  } in_worker;
  pool().run(n, chunks, fn);
}

}  // namespace jx::cpu
