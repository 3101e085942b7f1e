// threefry2x32: the Threefry-2x32 block cipher (Salmon et al., "Parallel random numbers: as easy
// as 1, 2, 3", 20 rounds), JAX's counter-based PRNG primitive. Operands (key1, key2, count1,
// count2) are uint32 arrays that broadcast as lax's binary ops do; results are the two output
// words. jx::random builds split, fold_in and the samplers on it exactly as JAX does.
#include <algorithm>
#include <cstdint>

#include "interpreters/batching.h"
#include "jx/lax.h"
#include "primitives/families.h"
#include "primitives/rule_helpers.h"

namespace jx::primitives {
namespace {

inline uint32_t rotl(uint32_t v, int r) { return (v << r) | (v >> (32 - r)); }

// One block: JAX's _threefry2x32_lowering unrolled (rotations 13 15 26 6 / 17 29 16 24, key
// schedule ks = k1, k2, k1 ^ k2 ^ 0x1BD11BDA injected after every 4 rounds).
inline void threefry_block(uint32_t k1, uint32_t k2, uint32_t& x0, uint32_t& x1) {
  const uint32_t ks[3] = {k1, k2, k1 ^ k2 ^ 0x1BD11BDAu};
  constexpr int kRot[2][4] = {{13, 15, 26, 6}, {17, 29, 16, 24}};
  x0 += ks[0];
  x1 += ks[1];
  for (int i = 0; i < 5; ++i) {
    for (int r : kRot[i % 2]) {
      x0 += x1;
      x1 = rotl(x1, r);
      x1 ^= x0;
    }
    x0 += ks[(i + 1) % 3];
    x1 += ks[(i + 2) % 3] + static_cast<uint32_t>(i + 1);
  }
}

// Keys either one pair for all blocks (the usual case: one key, many counters) or one pair per
// block; the two cases are separate loops so each vectorises.
template <bool kScalarKeys>
void threefry_range(const uint32_t* k1, const uint32_t* k2, const uint32_t* c1,
                    const uint32_t* c2, uint32_t* o1, uint32_t* o2, int64_t b, int64_t e) {
  for (int64_t i = b; i < e; ++i) {
    uint32_t x0 = c1[i], x1 = c2[i];
    threefry_block(kScalarKeys ? k1[0] : k1[i], kScalarKeys ? k2[0] : k2[i], x0, x1);
    o1[i] = x0;
    o2[i] = x1;
  }
}

std::vector<ShapedArray> threefry_rule(std::span<const ShapedArray> in, const Params&) {
  check_arity("threefry2x32", in, 4);
  for (const ShapedArray& a : in) {
    if (a.dtype != DType::uint32) {
      throw DTypeError("threefry2x32 requires uint32 arguments, got " +
                       std::string(dtype_name(a.dtype)));
    }
  }
  ShapedArray out{broadcasting_shape("threefry2x32", in), DType::uint32, false};
  return {out, out};
}

std::vector<Array> threefry_impl(std::span<const Array> in, const Params&,
                                 std::span<const ShapedArray> out) {
  Array o1 = make_array(out[0]), o2 = make_array(out[1]);
  const Shape& shape = out[0].shape;
  const int64_t n = shape.numel();
  if (n == 0) return {o1, o2};
  // Counters are per block; keys may stay one pair. Anything else broadcast is materialised
  // (size-1 axes under vmap: cheap next to 20 rounds per block).
  auto full = [&](const Array& a) {
    if (a.shape() == shape) return a;
    std::vector<int64_t> dims;
    int offset = shape.ndim() - a.ndim();
    for (int d = 0; d < a.ndim(); ++d) dims.push_back(offset + d);
    return lax::broadcast_in_dim(a, shape, dims);
  };
  const bool scalar_keys = in[0].size() == 1 && in[1].size() == 1;
  Array k1 = scalar_keys ? in[0] : full(in[0]), k2 = scalar_keys ? in[1] : full(in[1]);
  Array c1 = full(in[2]), c2 = full(in[3]);
  const uint32_t *pk1 = typed_data<uint32_t>(k1), *pk2 = typed_data<uint32_t>(k2);
  const uint32_t *pc1 = typed_data<uint32_t>(c1), *pc2 = typed_data<uint32_t>(c2);
  uint32_t *po1 = mutable_data<uint32_t>(o1), *po2 = mutable_data<uint32_t>(o2);
  // ~80 ALU ops per block: small grains already pay for a thread.
  cpu::parallel_for(n, 4096, [&](int64_t b, int64_t e) {
    if (scalar_keys) {
      threefry_range<true>(pk1, pk2, pc1, pc2, po1, po2, b, e);
    } else {
      threefry_range<false>(pk1, pk2, pc1, pc2, po1, po2, b, e);
    }
  });
  return {o1, o2};
}

}  // namespace

void register_prng() {
  PrimitiveRules& r = mutable_rules(Prim::threefry2x32);
  r.abstract_eval = threefry_rule;
  r.impl = threefry_impl;
  // Under vmap the operands broadcast like a binary op's; both results share the batch dim.
  r.batch = batching::broadcasting(Prim::threefry2x32, {true}, true);
  r.multiple_results = true;
}

}  // namespace jx::primitives

namespace jx::lax {

std::pair<Array, Array> threefry2x32(const Array& key1, const Array& key2, const Array& count1,
                                     const Array& count2) {
  std::vector<Array> out = bind(Prim::threefry2x32, std::vector<Array>{key1, key2, count1, count2});
  return {out[0], out[1]};
}

}  // namespace jx::lax
