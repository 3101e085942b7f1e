// The non-template half of jx::jit: the per-function signature cache (bounded LRU,
// thread-safe), tracing on a miss (with the reason logged on request), and the call path: a
// cached call outside any transformation runs the executable directly; inside one (vmap, grad,
// make_jaxpr, an enclosing jit) it binds the jit primitive, whose rules do the rest.
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "compiler/executable.h"
#include "core/array_impl.h"
#include "interpreters/jaxpr_transforms.h"
#include "jx/jit.h"
#include "jx/random.h"

namespace jx {
namespace config {
namespace {
std::atomic<bool> g_explain{[] {
  const char* v = std::getenv("JX_EXPLAIN_CACHE_MISSES");
  return v != nullptr && std::string(v) != "0" && std::string(v) != "";
}()};
std::atomic<size_t> g_cache_size{4096};
}  // namespace

void set_explain_cache_misses(bool explain) { g_explain = explain; }
bool explain_cache_misses() { return g_explain; }
void set_jit_cache_size(size_t size) { g_cache_size = size == 0 ? 1 : size; }
size_t jit_cache_size() { return g_cache_size; }
}  // namespace config

namespace detail {
namespace {

// Everything that decides the traced program: the argument structure and types, the static
// values, the axis names bound around the call, and the config that changes results.
struct Signature {
  TreeDef in_def;
  std::vector<ShapedArray> avals;
  std::vector<std::shared_ptr<const StaticValue>> statics;
  std::vector<std::string> axis_names;
  bool threefry_partitionable = true;
  size_t hash = 0;

  void compute_hash() {
    size_t h = in_def.hash();
    auto mix = [&h](size_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
    for (const ShapedArray& a : avals) {
      mix(static_cast<size_t>(a.dtype) * 2 + a.weak_type);
      for (int64_t d : a.shape) mix(std::hash<int64_t>{}(d));
      mix(static_cast<size_t>(a.ndim()));
    }
    for (const auto& s : statics) mix(s->hash());
    for (const auto& n : axis_names) mix(std::hash<std::string>{}(n));
    mix(threefry_partitionable);
    hash = h;
  }
  friend bool operator==(const Signature& a, const Signature& b) {
    if (a.hash != b.hash || !(a.avals == b.avals) || a.statics.size() != b.statics.size() ||
        a.axis_names != b.axis_names || a.threefry_partitionable != b.threefry_partitionable ||
        !(a.in_def == b.in_def)) {
      return false;
    }
    for (size_t i = 0; i < a.statics.size(); ++i) {
      if (!a.statics[i]->equals(*b.statics[i])) return false;
    }
    return true;
  }
};

struct SignatureHash {
  size_t operator()(const Signature& s) const { return s.hash; }
};

// One compiled signature; the executable is planned on the first call outside any
// transformation (under one, the program is transformed instead).
struct Entry {
  JaxprRef jaxpr;
  TreeDef out_def;
  mutable std::once_flag planned;
  mutable std::shared_ptr<const compiler::Executable> executable;
};

std::string avals_str(const std::vector<ShapedArray>& avals) {
  std::string s;
  for (size_t i = 0; i < avals.size(); ++i) s += (i ? ", " : "") + avals[i].str();
  return s;
}

// Why `now` missed, against the closest signature seen before (JAX's explain_cache_misses).
std::string explain(const Signature& now, const std::vector<const Signature*>& before) {
  if (before.empty()) return "never seen function (first call)";
  const Signature* closest = before.front();
  size_t best = SIZE_MAX;
  for (const Signature* b : before) {
    size_t diff = (b->in_def == now.in_def ? 0 : 100) + (b->avals.size() != now.avals.size());
    for (size_t i = 0; i < b->avals.size() && i < now.avals.size(); ++i) {
      diff += !(b->avals[i] == now.avals[i]);
    }
    if (diff < best) {
      best = diff;
      closest = b;
    }
  }
  const Signature& b = *closest;
  if (!(b.in_def == now.in_def)) {
    return "different input pytree structure: now " + now.in_def.str() + " and before " +
           b.in_def.str();
  }
  for (size_t i = 0; i < now.avals.size(); ++i) {
    if (!(now.avals[i] == b.avals[i])) {
      return "different input types: at args[" + std::to_string(i) + "] (flattened), now " +
             now.avals[i].str() + (now.avals[i].weak_type ? " (weak)" : "") + " and before " +
             b.avals[i].str() + (b.avals[i].weak_type ? " (weak)" : "");
    }
  }
  for (size_t i = 0; i < now.statics.size(); ++i) {
    if (!now.statics[i]->equals(*b.statics[i])) {
      return "different value of static argument " + std::to_string(i) + ": now " +
             now.statics[i]->str() + " and before " + b.statics[i]->str();
    }
  }
  if (now.axis_names != b.axis_names) return "different named axes bound around the call";
  if (now.threefry_partitionable != b.threefry_partitionable) {
    return "different config: jax_threefry_partitionable";
  }
  return "evicted from the cache (config::jit_cache_size)";
}

// Rethrows a jx error raised while tracing with a note saying so, keeping its type.
[[noreturn]] void rethrow_while_tracing(const std::string& name, const std::string& args) {
  std::string note = "\n(raised while tracing the jitted function " + name + " for arguments (" +
                     args + "))";
  try {
    throw;
  } catch (const ConcretizationError& e) {
    throw ConcretizationError(e.what() + note);
  } catch (const ShapeError& e) {
    throw ShapeError(e.what() + note);
  } catch (const DTypeError& e) {
    throw DTypeError(e.what() + note);
  } catch (const IndexError& e) {
    throw IndexError(e.what() + note);
  } catch (const ValueError& e) {
    throw ValueError(e.what() + note);
  } catch (const NameError& e) {
    throw NameError(e.what() + note);
  } catch (const NotSupportedError& e) {
    throw NotSupportedError(e.what() + note);
  }
}

// The arguments for the executable: donated leaves hand over their buffers (their arrays are
// marked deleted), so the program may overwrite them; a buffer passed twice is not donated.
std::vector<Array> take_donated(const std::vector<Array>& leaves, const std::vector<bool>& donated) {
  std::vector<Array> args(leaves);
  for (size_t i = 0; i < donated.size() && i < leaves.size(); ++i) {
    if (!donated[i]) continue;
    const std::shared_ptr<ArrayImpl>& impl = leaves[i].impl_ptr();
    bool shared = false;
    for (size_t j = 0; j < leaves.size(); ++j) shared |= j != i && leaves[j].impl() == impl.get();
    if (shared) continue;
    auto owner = std::make_shared<ArrayImpl>();
    owner->aval = impl->aval;
    owner->buffer = std::move(impl->buffer);
    owner->offset = impl->offset;
    impl->deleted = true;
    args[i] = Array(std::move(owner));
  }
  return args;
}

}  // namespace

struct JitCache {
  std::mutex mu;
  // Most recently used first.
  std::list<std::pair<Signature, std::shared_ptr<const Entry>>> lru;
  std::unordered_map<Signature, decltype(lru)::iterator, SignatureHash> index;
  std::atomic<int64_t> traces{0};

  std::shared_ptr<const Entry> find(const Signature& sig) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = index.find(sig);
    if (it == index.end()) return nullptr;
    if (it->second != lru.begin()) lru.splice(lru.begin(), lru, it->second);
    return it->second->second;
  }
  std::vector<const Signature*> seen() {
    std::vector<const Signature*> out;
    for (const auto& [sig, entry] : lru) out.push_back(&sig);
    return out;
  }
  void insert(Signature sig, std::shared_ptr<const Entry> entry) {
    std::lock_guard<std::mutex> lock(mu);
    if (index.count(sig)) return;  // another thread traced it first
    lru.emplace_front(std::move(sig), std::move(entry));
    index.emplace(lru.front().first, lru.begin());
    while (lru.size() > config::jit_cache_size()) {
      index.erase(lru.back().first);
      lru.pop_back();
    }
  }
};

JitState::JitState(std::string name, std::vector<int> donate_argnums)
    : name_(std::move(name)),
      donate_argnums_(std::move(donate_argnums)),
      cache_(std::make_shared<JitCache>()) {}
JitState::~JitState() = default;

int64_t JitState::trace_count() const { return cache_->traces.load(); }
size_t JitState::cache_size() const {
  std::lock_guard<std::mutex> lock(cache_->mu);
  return cache_->lru.size();
}
void JitState::clear_cache() const {
  std::lock_guard<std::mutex> lock(cache_->mu);
  cache_->index.clear();
  cache_->lru.clear();
}

std::vector<Array> JitState::call(const std::vector<Array>& leaves, const TreeDef& in_def,
                                  std::vector<std::shared_ptr<const StaticValue>> statics,
                                  const std::vector<bool>& donated, const JitTraceFn& trace,
                                  TreeDef* out_def) const {
  Signature sig{in_def, {}, std::move(statics), {}, config::threefry_partitionable(), 0};
  sig.avals.reserve(leaves.size());
  bool concrete = true;
  for (const Array& leaf : leaves) {
    if (!leaf.valid()) throw ValueError("jit(" + name_ + "): an argument is a null jx::Array");
    sig.avals.push_back(leaf.aval());
    concrete &= leaf.is_concrete();
  }
  Trace* current = current_trace();
  if (current != nullptr) sig.axis_names = bound_axis_names();
  sig.compute_hash();

  std::shared_ptr<const Entry> entry = cache_->find(sig);
  std::vector<Array> lifted;
  if (!entry) {
    if (config::explain_cache_misses()) {
      std::string why;
      {
        std::lock_guard<std::mutex> lock(cache_->mu);
        why = explain(sig, cache_->seen());
      }
      std::cerr << "jx: TRACING CACHE MISS for jit(" << name_ << ") because: " << why << "\n";
    }
    cache_->traces.fetch_add(1, std::memory_order_relaxed);
    auto made = std::make_shared<Entry>();
    TracedJaxpr traced;
    try {
      traced = trace_to_jaxpr(
          [&](std::span<const Array> args) { return trace(args, &made->out_def); }, sig.avals);
    } catch (const Error&) {
      rethrow_while_tracing(name_, avals_str(sig.avals));
    }
    made->jaxpr = traced.jaxpr;
    lifted = std::move(traced.lifted);
    entry = made;
    // A program closing over tracers of an enclosing transformation is specific to this call.
    if (lifted.empty()) cache_->insert(sig, entry);
  }
  *out_def = entry->out_def;
  if (current == nullptr && concrete && lifted.empty()) {
    std::call_once(entry->planned,
                   [&] { entry->executable = compiler::executable_for(*entry->jaxpr); });
    return entry->executable->run(take_donated(leaves, donated));
  }
  std::vector<Array> args = std::move(lifted);
  args.insert(args.end(), leaves.begin(), leaves.end());
  return bind(Prim::jit, args, {{"name", name_}, {"jaxpr", entry->jaxpr}});
}

}  // namespace detail
}  // namespace jx
