// threefry2x32: the Threefry-2x32 block cipher (Salmon et al., "Parallel random numbers: as easy
// as 1, 2, 3", 20 rounds), JAX's counter-based PRNG primitive. Operands (key1, key2, count1,
// count2) are uint32 arrays that broadcast as lax's binary ops do; results are the two output
// words. jx::random builds split, fold_in and the samplers on it exactly as JAX does.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "interpreters/ad.h"
#include "interpreters/batching.h"
#include "jx/lax.h"
#include "primitives/def.h"
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
void threefry_range(const uint32_t* k1, const uint32_t* k2, const uint32_t* c1, const uint32_t* c2,
                    uint32_t* o1, uint32_t* o2, int64_t b, int64_t e) {
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
                                 const KernelOutputs& out) {
  Array o1 = out.make(0), o2 = out.make(1);
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

// ---- random_bits --------------------------------------------------------------------------

DType bits_dtype(int64_t bit_width) {
  return bit_width == 8 ? DType::uint8 : bit_width == 32 ? DType::uint32 : DType::int64;
}

std::vector<ShapedArray> random_bits_rule(std::span<const ShapedArray> in, const Params& params) {
  check_arity("random_bits", in, 1);
  const ShapedArray& keys = in[0];
  if (keys.dtype != DType::uint32 || keys.ndim() == 0 || keys.shape[keys.ndim() - 1] != 2) {
    throw ShapeError(
        "random_bits: expected raw PRNG keys (uint32 with a trailing dimension of "
        "2), got " +
        std::string(dtype_name(keys.dtype)) + keys.shape.str());
  }
  int64_t bit_width = params.get_int("bit_width");
  if (bit_width != 8 && bit_width != 32 && bit_width != 64) {
    throw ValueError("random_bits: bit_width must be 8, 32 or 64, got " +
                     std::to_string(bit_width));
  }
  const std::vector<int64_t>& shape = params.get_ints("shape");
  check_shapelike("random_bits", "shape", shape);
  std::vector<int64_t> out(keys.shape.begin(), keys.shape.end() - 1);
  out.insert(out.end(), shape.begin(), shape.end());
  return single(ShapedArray{Shape(out), bits_dtype(bit_width), false});
}

// Partitionable scheme: element i hashes the counter (i >> 32, i & 0xFFFFFFFF). Sizes are below
// 2^32 (checked), so the high word is 0 and the loop runs on 32-bit lanes: it vectorises with the
// counters as lane indices and the key as a broadcast scalar.
template <class Out>
void partitionable_bits(uint32_t k1, uint32_t k2, int64_t n, Out* out) {
  cpu::parallel_for(n, 4096, [&](int64_t b, int64_t e) {
    const auto first = static_cast<uint32_t>(b);
    const auto len = static_cast<uint32_t>(e - b);
    Out* o = out + b;
    for (uint32_t j = 0; j < len; ++j) {
      uint32_t x0 = 0, x1 = first + j;
      threefry_block(k1, k2, x0, x1);
      if constexpr (std::is_same_v<Out, int64_t>) {
        o[j] = static_cast<int64_t>((static_cast<uint64_t>(x0) << 32) | x1);
      } else {
        o[j] = static_cast<Out>(x0 ^ x1);
      }
    }
  });
}

// Legacy scheme: one stream of words from counters 0..m-1, hashed in pairs (j, j + half) as
// JAX's threefry_2x32 splits its flattened counts; 64-bit values take their high words from the
// stream's first half and low words from the second.
void legacy_bits(uint32_t k1, uint32_t k2, int64_t n, int64_t bit_width, void* out) {
  const int64_t words = bit_width / 32 * n;
  const int64_t half = (words + 1) / 2;
  std::vector<uint32_t> stream(static_cast<size_t>(2 * half));
  cpu::parallel_for(half, 4096, [&](int64_t b, int64_t e) {
    for (int64_t j = b; j < e; ++j) {
      uint32_t x0 = static_cast<uint32_t>(j);
      uint32_t x1 = j + half < words ? static_cast<uint32_t>(j + half) : 0;
      threefry_block(k1, k2, x0, x1);
      stream[j] = x0;
      stream[j + half] = x1;
    }
  });
  if (bit_width == 32) {
    std::copy(stream.begin(), stream.begin() + n, static_cast<uint32_t*>(out));
    return;
  }
  auto* o = static_cast<int64_t*>(out);
  for (int64_t i = 0; i < n; ++i) {
    o[i] = static_cast<int64_t>((static_cast<uint64_t>(stream[i]) << 32) | stream[n + i]);
  }
}

std::vector<Array> random_bits_impl(std::span<const Array> in, const Params& params,
                                    const KernelOutputs& out) {
  Array result = out.make(0);
  const int64_t bit_width = params.get_int("bit_width");
  const bool partitionable = params.get_bool("partitionable");
  const int64_t n = Shape(params.get_ints("shape")).numel();
  const int64_t num_keys = in[0].size() / 2;
  if (partitionable && n > int64_t{std::numeric_limits<uint32_t>::max()}) {
    throw NotSupportedError("random_bits: arrays of 2^32 or more random elements");
  }
  if (!partitionable && (bit_width == 8 || bit_width / 32 * n > int64_t{UINT32_MAX})) {
    throw NotSupportedError(bit_width == 8
                                ? "random_bits: 8-bit bits with jax_threefry_partitionable=False"
                                : "random_bits: 2^32 or more random words (legacy scheme)");
  }
  const uint32_t* keys = typed_data<uint32_t>(in[0]);
  char* base = static_cast<char*>(mutable_data(result));
  const size_t item = itemsize(out[0].dtype);
  for (int64_t k = 0; k < num_keys; ++k) {
    const uint32_t k1 = keys[2 * k], k2 = keys[2 * k + 1];
    void* dst = base + static_cast<size_t>(k * n) * item;
    if (!partitionable) {
      legacy_bits(k1, k2, n, bit_width, dst);
    } else if (bit_width == 32) {
      partitionable_bits(k1, k2, n, static_cast<uint32_t*>(dst));
    } else if (bit_width == 8) {
      partitionable_bits(k1, k2, n, static_cast<uint8_t*>(dst));
    } else {
      partitionable_bits(k1, k2, n, static_cast<int64_t*>(dst));
    }
  }
  return single(std::move(result));
}

// Each key of a batch gets its own bits: the batch axis goes to the front of the keys, which
// is the front of the result.
std::pair<std::vector<Array>, std::vector<BatchDim>> random_bits_batch_rule(
    std::span<const Array> in, std::span<const BatchDim> dims, const Params& params,
    const AxisData& axis) {
  Array keys = batching::bdim_at_front(in[0], dims[0], axis.size);
  return batching::one(bind1(Prim::random_bits, {keys}, params), 0);
}

}  // namespace

void register_prng() {
  def(Prim::threefry2x32)
      .shape(threefry_rule)
      .impl(threefry_impl)
      // Under vmap the operands broadcast like a binary op's; both results share the batch dim.
      .batch(batching::broadcasting(Prim::threefry2x32, {true}, true))
      .multiple_results()
      // Integer outputs: no tangent space.
      .jvp(ad::zero_jvp(Prim::threefry2x32));
  def(Prim::random_bits)
      .shape(random_bits_rule)
      .impl(random_bits_impl)
      .batch(random_bits_batch_rule)
      .jvp(ad::zero_jvp(Prim::random_bits));
}

}  // namespace jx::primitives

namespace jx::lax {

std::pair<Array, Array> threefry2x32(const Array& key1, const Array& key2, const Array& count1,
                                     const Array& count2) {
  std::vector<Array> out = bind(Prim::threefry2x32, std::vector<Array>{key1, key2, count1, count2});
  return {out[0], out[1]};
}

Array random_bits(const Array& keys, int bit_width, const Shape& shape, bool partitionable) {
  return bind1(Prim::random_bits, {keys},
               Params{{"bit_width", int64_t{bit_width}},
                      {"shape", shape.to_vector()},
                      {"partitionable", partitionable}});
}

}  // namespace jx::lax
