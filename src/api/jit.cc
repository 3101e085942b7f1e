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
// values, the axis names bound around the call, and the config that changes results. A call
// looks its signature up without building one (SignatureView): a hit allocates nothing.
struct SignatureView {
  const TreeDef& in_def;
  std::span<const Array> leaves;
  const std::vector<std::shared_ptr<const StaticValue>>& statics;
  const std::vector<std::string>& axis_names;
  bool threefry_partitionable;
  size_t hash;
};

size_t signature_hash(const TreeDef& in_def, std::span<const Array> leaves,
                      const std::vector<std::shared_ptr<const StaticValue>>& statics,
                      const std::vector<std::string>& axis_names, bool threefry) {
  size_t h = in_def.hash();
  auto mix = [&h](size_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
  for (const Array& leaf : leaves) {
    const ShapedArray& a = leaf.aval();
    mix(static_cast<size_t>(a.dtype) * 2 + a.weak_type);
    for (int64_t d : a.shape) mix(std::hash<int64_t>{}(d));
    mix(static_cast<size_t>(a.ndim()));
  }
  for (const auto& s : statics) mix(s->hash());
  for (const auto& n : axis_names) mix(std::hash<std::string>{}(n));
  mix(threefry);
  return h;
}

struct Signature {
  TreeDef in_def;
  std::vector<ShapedArray> avals;
  std::vector<std::shared_ptr<const StaticValue>> statics;
  std::vector<std::string> axis_names;
  bool threefry_partitionable = true;
  size_t hash = 0;

  explicit Signature(const SignatureView& v)
      : in_def(v.in_def),
        statics(v.statics),
        axis_names(v.axis_names),
        threefry_partitionable(v.threefry_partitionable),
        hash(v.hash) {
    for (const Array& leaf : v.leaves) avals.push_back(leaf.aval());
  }
  bool matches(const SignatureView& v) const {
    if (hash != v.hash || avals.size() != v.leaves.size() || statics.size() != v.statics.size() ||
        threefry_partitionable != v.threefry_partitionable || axis_names != v.axis_names ||
        !(in_def == v.in_def)) {
      return false;
    }
    for (size_t i = 0; i < avals.size(); ++i) {
      if (!(avals[i] == v.leaves[i].aval())) return false;
    }
    for (size_t i = 0; i < statics.size(); ++i) {
      if (!statics[i]->equals(*v.statics[i])) return false;
    }
    return true;
  }
};

// One compiled signature; the executable is planned on the first call outside any
// transformation (under one, the program is transformed instead).
struct Entry {
  JaxprRef jaxpr;
  std::shared_ptr<const TreeDef> out_def;
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
  std::string note =
      "\n(raised while tracing the jitted function " + name + " for arguments (" + args + "))";
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

// Makes donated arguments hand over their buffers (their arrays are marked deleted), so the
// program may overwrite them; a buffer passed twice is not donated.
void take_donated(std::vector<Array>& args, const std::vector<bool>& donated) {
  for (size_t i = 0; i < donated.size() && i < args.size(); ++i) {
    if (!donated[i]) continue;
    std::shared_ptr<ArrayImpl> impl = args[i].impl_ptr();
    bool shared = false;
    for (size_t j = 0; j < args.size(); ++j) shared |= j != i && args[j].impl() == impl.get();
    if (shared) continue;
    auto owner = std::make_shared<ArrayImpl>();
    owner->aval = impl->aval;
    owner->buffer = std::move(impl->buffer);
    owner->offset = impl->offset;
    impl->deleted = true;
    args[i] = Array(std::move(owner));
  }
}

}  // namespace

struct JitCache {
  std::mutex mu;
  // Most recently used first; indexed by signature hash.
  std::list<std::pair<Signature, std::shared_ptr<const Entry>>> lru;
  std::unordered_multimap<size_t, decltype(lru)::iterator> index;
  std::atomic<int64_t> traces{0};

  std::shared_ptr<const Entry> find(const SignatureView& sig) {
    std::lock_guard<std::mutex> lock(mu);
    auto [lo, hi] = index.equal_range(sig.hash);
    for (auto it = lo; it != hi; ++it) {
      if (!it->second->first.matches(sig)) continue;
      if (it->second != lru.begin()) lru.splice(lru.begin(), lru, it->second);
      return it->second->second;
    }
    return nullptr;
  }
  std::vector<const Signature*> seen() {
    std::vector<const Signature*> out;
    for (const auto& [sig, entry] : lru) out.push_back(&sig);
    return out;
  }
  void insert(const SignatureView& sig, std::shared_ptr<const Entry> entry) {
    std::lock_guard<std::mutex> lock(mu);
    auto [lo, hi] = index.equal_range(sig.hash);
    for (auto it = lo; it != hi; ++it) {
      if (it->second->first.matches(sig)) return;  // another thread traced it first
    }
    lru.emplace_front(Signature(sig), std::move(entry));
    index.emplace(sig.hash, lru.begin());
    while (lru.size() > config::jit_cache_size()) {
      auto [first, last] = index.equal_range(lru.back().first.hash);
      for (auto it = first; it != last; ++it) {
        if (it->second == std::prev(lru.end())) {
          index.erase(it);
          break;
        }
      }
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

std::vector<Array> JitState::call(std::vector<Array> leaves, const TreeDef& in_def,
                                  std::vector<std::shared_ptr<const StaticValue>> statics,
                                  const std::vector<bool>& donated, JitTraceFn trace,
                                  std::shared_ptr<const TreeDef>* out_def) const {
  bool concrete = true;
  for (const Array& leaf : leaves) {
    if (!leaf.valid()) throw ValueError("jit(" + name_ + "): an argument is a null jx::Array");
    concrete &= leaf.is_concrete();
  }
  Trace* current = current_trace();
  std::vector<std::string> axis_names;
  if (current != nullptr) axis_names = bound_axis_names();
  const bool threefry = config::threefry_partitionable();
  SignatureView sig{in_def,   leaves,
                    statics,  axis_names,
                    threefry, signature_hash(in_def, leaves, statics, axis_names, threefry)};

  std::shared_ptr<const Entry> entry = cache_->find(sig);
  std::vector<Array> lifted;
  if (!entry) {
    std::vector<ShapedArray> avals;
    for (const Array& leaf : leaves) avals.push_back(leaf.aval());
    if (config::explain_cache_misses()) {
      std::string why;
      {
        std::lock_guard<std::mutex> lock(cache_->mu);
        why = explain(Signature(sig), cache_->seen());
      }
      std::cerr << "jx: TRACING CACHE MISS for jit(" << name_ << ") because: " << why << "\n";
    }
    cache_->traces.fetch_add(1, std::memory_order_relaxed);
    auto made = std::make_shared<Entry>();
    auto traced_def = std::make_shared<TreeDef>();
    TracedJaxpr traced;
    try {
      traced = trace_to_jaxpr(
          [&](std::span<const Array> args) { return trace(args, traced_def.get()); }, avals);
    } catch (const Error&) {
      rethrow_while_tracing(name_, avals_str(avals));
    }
    made->out_def = std::move(traced_def);
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
    take_donated(leaves, donated);
    return entry->executable->run(std::move(leaves));
  }
  std::vector<Array> args = std::move(lifted);
  args.insert(args.end(), leaves.begin(), leaves.end());
  return bind(Prim::jit, args, {{"name", name_}, {"jaxpr", entry->jaxpr}});
}

}  // namespace detail
}  // namespace jx
