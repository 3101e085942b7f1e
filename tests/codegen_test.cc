// jit's generated loops (compiler/fusion.h, compiler/codegen.h): chains of elementwise
// operations fuse into one native loop whose results equal the eager kernels bit for bit,
// edge values included (NaN, signed zeros, infinities, subnormals), in float32 and float64,
// with scalar operands, selects and comparisons; run in place over dying buffers; compiled
// once per computation.
#include <gtest/gtest.h>

#include <jx/jx.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "compiler/codegen.h"
#include "compiler/fusion.h"
#include "compiler/passes.h"
#include "ir/jaxpr.h"

namespace jx {
namespace {
namespace jnp = numpy;

void expect_bitwise(const Array& got, const Array& want, const std::string& where) {
  ASSERT_EQ(got.aval(), want.aval()) << where;
  if (std::memcmp(got.data(), want.data(), got.nbytes()) == 0) return;
  // The first element that differs, as bits.
  const size_t size = itemsize(got.dtype());
  const auto* g = static_cast<const unsigned char*>(got.data());
  const auto* w = static_cast<const unsigned char*>(want.data());
  size_t i = 0;
  while (std::memcmp(g + i * size, w + i * size, size) == 0) ++i;
  uint64_t gb = 0, wb = 0;
  std::memcpy(&gb, g + i * size, size);
  std::memcpy(&wb, w + i * size, size);
  ADD_FAILURE() << where << ": element " << i << " differs, bits " << std::hex << gb << " != " << wb
                << "\n got " << got << "\n want " << want;
}

// Values that exercise every IEEE corner, repeated to a length that is not a multiple of any
// vector width.
Array edge_values(DType dtype, int seed) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double sub = dtype == DType::float32 ? 1e-40 : 1e-310;
  std::vector<double> v{0.0, -0.0, 1.0,  -1.0, 0.5,   -2.5,  inf,  -inf,
                        nan, sub,  -sub, 3e38, -3e38, 1e-30, 7.25, 100.0};
  std::mt19937_64 rng(static_cast<uint64_t>(seed));
  std::shuffle(v.begin(), v.end(), rng);
  std::uniform_real_distribution<double> u(-4, 4);
  while (v.size() < 1003) v.push_back(u(rng));
  return Array::from_vector(v).astype(dtype);
}

using Chain = std::function<std::vector<Array>(const Array&, const Array&)>;

struct Case {
  std::string name;
  Chain f;
};

std::vector<Case> chains() {
  return {
      {"arith",
       [](const Array& x, const Array& y) {
         return std::vector<Array>{lax::div(lax::add(lax::mul(x, y), x), lax::sub(y, x))};
       }},
      {"max/min with NaN and zeros",
       [](const Array& x, const Array& y) {
         return std::vector<Array>{lax::max(lax::min(x, y), lax::neg(y)), lax::min(x, lax::neg(x))};
       }},
      {"sqrt abs",
       [](const Array& x, const Array& y) {
         return std::vector<Array>{lax::sqrt(lax::abs(lax::mul(x, y)))};
       }},
      {"compare select",
       [](const Array& x, const Array& y) {
         Array c = lax::lt(x, y);
         return std::vector<Array>{lax::select_n(c, {lax::add(x, y), lax::sub(x, y)}),
                                   lax::ne(x, x), lax::ge(lax::neg(x), y)};
       }},
      {"all comparisons",
       [](const Array& x, const Array& y) {
         Array s = lax::add(x, y);
         return std::vector<Array>{lax::eq(s, y), lax::le(s, x), lax::gt(s, x)};
       }},
      {"scalar operands",
       [](const Array& x, const Array& y) {
         Array two = lax::convert_element_type(Array(2.0), x.dtype(), false);
         return std::vector<Array>{lax::add(lax::mul(x, two), lax::div(y, two))};
       }},
      {"convert round trip",
       [](const Array& x, const Array& y) {
         DType other = x.dtype() == DType::float32 ? DType::float64 : DType::float32;
         Array c = lax::convert_element_type(lax::mul(x, y), other, false);
         return std::vector<Array>{lax::convert_element_type(lax::add(c, c), x.dtype(), false)};
       }},
      // The elementary functions call the eager kernels' own (backend/cpu/vector_math.h), so
      // they agree to the bit at every vector width the loop runs at, libm fix-ups included.
      {"transcendentals",
       [](const Array& x, const Array& y) {
         return std::vector<Array>{lax::add(lax::exp(x), lax::log(lax::abs(y))),
                                   lax::mul(lax::tanh(x), lax::logistic(y)),
                                   lax::sub(lax::log1p(lax::abs(x)), lax::expm1(y)),
                                   lax::add(lax::sin(x), lax::cos(y)), lax::is_finite(lax::exp(y))};
       }},
      // The functions computed one value at a time call the eager kernels' very functions.
      {"scalar functions",
       [](const Array& x, const Array& y) {
         Array t = lax::tanh(x);  // in [-1, 1]: inside asin's and erf_inv's domains
         return std::vector<Array>{lax::add(lax::exp2(x), lax::cbrt(y)),
                                   lax::mul(lax::tan(x), lax::asin(t)),
                                   lax::sub(lax::acos(t), lax::atan(y)),
                                   lax::add(lax::sinh(x), lax::cosh(y)),
                                   lax::add(lax::asinh(x), lax::acosh(lax::abs(y))),
                                   lax::mul(lax::atanh(t), lax::erf(y)),
                                   lax::add(lax::erfc(x), lax::erf_inv(t)),
                                   lax::sub(lax::lgamma(x), lax::digamma(y)),
                                   lax::add(lax::pow(lax::abs(x), y), lax::atan2(x, y)),
                                   lax::sub(lax::nextafter(x, y), lax::rem(x, y))};
       }},
      {"rounding sign clamp",
       [](const Array& x, const Array& y) {
         Array lo = lax::neg(lax::abs(y));
         return std::vector<Array>{
             lax::add(lax::floor(x), lax::ceil(y)), lax::sign(x), lax::rsqrt(y),
             lax::clamp(lo, lax::mul(x, y), lax::abs(y)),
             lax::clamp(lax::convert_element_type(Array(-0.5), x.dtype(), false), x,
                        lax::convert_element_type(Array(2.0), x.dtype(), false))};
       }},
      {"shared intermediate",
       [](const Array& x, const Array& y) {
         Array t = lax::mul(x, y);
         return std::vector<Array>{t, lax::add(t, x), lax::sub(t, y)};
       }},
  };
}

TEST(Codegen, FusedChainsEqualTheEagerKernelsBitForBit) {
  for (DType dtype : {DType::float32, DType::float64}) {
    Array x = edge_values(dtype, 1), y = edge_values(dtype, 2);
    for (const Case& c : chains()) {
      std::vector<Array> want = c.f(x, y);
      auto f = jit(c.f);
      std::vector<Array> got = f(x, y);
      ASSERT_EQ(got.size(), want.size());
      for (size_t k = 0; k < got.size(); ++k) {
        expect_bitwise(
            got[k], want[k],
            c.name + " " + std::string(dtype_name(dtype)) + " output " + std::to_string(k));
      }
      // The jitted program really is fused: the planner finds a loop of all its equations.
      ClosedJaxpr j = make_jaxpr(c.f)(x, y);
      std::vector<compiler::Fusion> fusions = compiler::plan_fusions(j.jaxpr());
      ASSERT_EQ(fusions.size(), 1u) << c.name << "\n" << j;
      EXPECT_EQ(fusions[0].members.size(), j.jaxpr().eqns.size()) << c.name << "\n" << j;
    }
  }
}

// Integer and bitwise loops: wrapping arithmetic, XLA's shifts (amounts past the width, and
// negative ones read as unsigned), signed/unsigned comparisons, converts and bitcasts.
TEST(Codegen, IntegerAndBitwiseChainsEqualTheEagerKernels) {
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int64_t> big(std::numeric_limits<int32_t>::min(),
                                             std::numeric_limits<int32_t>::max());
  std::vector<int32_t> xs{0, 1, -1, std::numeric_limits<int32_t>::min(),
                          std::numeric_limits<int32_t>::max()},
      shifts{0, 1, 31, 32, 33, -1, 7};
  while (xs.size() < 517) xs.push_back(static_cast<int32_t>(big(rng)));
  while (shifts.size() < 517) shifts.push_back(static_cast<int32_t>(big(rng) % 40));
  for (DType dtype : {DType::int32, DType::uint32, DType::uint8, DType::int64}) {
    Array x = Array::from_vector(xs).astype(dtype), s = Array::from_vector(shifts).astype(dtype);
    auto f = [](const Array& a, const Array& k) {
      Array m = lax::mul(lax::add(a, a), lax::sub(a, k));  // wraps
      Array sh = lax::bitwise_xor(lax::shift_left(a, k), lax::shift_right_logical(a, k));
      Array ar = lax::shift_right_arithmetic(lax::bitwise_or(m, sh), k);
      Array c = lax::select_n(lax::lt(a, k), {lax::max(ar, a), lax::min(lax::neg(a), k)});
      return std::vector<Array>{c,
                                lax::bitwise_not(lax::bitwise_and(c, k)),
                                lax::convert_element_type(c, DType::float32, false),
                                lax::convert_element_type(lax::ge(c, a), DType::int32, false),
                                lax::sign(lax::sub(a, k)),
                                lax::clamp(k, lax::add(a, m), sh)};
    };
    std::vector<Array> want = f(x, s), got = jit(f)(x, s);
    for (size_t k = 0; k < got.size(); ++k) {
      expect_bitwise(got[k], want[k],
                     std::string(dtype_name(dtype)) + " output " + std::to_string(k));
    }
  }
}

// Dropout (seed section 5): the bits -> uniform -> compare -> convert -> scale chain is one
// loop, the threefry bits hashed inside it from each element's index; batched keys too (the
// seed's vmap over per-example keys).
TEST(Codegen, DropoutIsOneLoopWithTheBits) {
  auto drop = [](const Array& key, const Array& x) {
    return random::bernoulli(key, 0.9, x.shape()) * x / 0.9f;
  };
  Array key = random::PRNGKey(3), x = jnp::linspace(-1.0, 1.0, 1001).astype(DType::float32);
  expect_bitwise(jit(drop)(key, x), drop(key, x), "dropout");
  ClosedJaxpr j = make_jaxpr(drop)(key, x);
  Jaxpr optimized = j.jaxpr();
  compiler::optimize(optimized);
  std::vector<compiler::Fusion> fusions = compiler::plan_fusions(optimized);
  ASSERT_EQ(fusions.size(), 1u) << optimized.str();
  EXPECT_EQ(fusions[0].members.size(), optimized.eqns.size()) << optimized.str();
  Array keys = random::split(random::PRNGKey(4), 7);
  Array xs = random::normal(random::PRNGKey(5), {7, 33});
  expect_bitwise(jit(vmap(drop))(keys, xs), vmap(drop)(keys, xs), "batched dropout");
  auto bits8 = [](const Array& k) { return random::bits(k, {5, 37}, DType::uint8); };
  expect_bitwise(jit(vmap(bits8))(keys), vmap(bits8)(keys), "8-bit bits");
}

// Broadcasts along the trailing dimensions (a value per row) or the leading ones (a row repeated)
// are read at remapped indices inside the loop instead of being materialised.
TEST(Codegen, BroadcastOperandsAreReadInPlace) {
  for (DType dtype : {DType::float32, DType::float64}) {
    Array x = edge_values(dtype, 6).reshape({17, 59});
    Array row = edge_values(dtype, 7).reshape({1003})[slice(0, 17)];
    Array col = edge_values(dtype, 8).reshape({1003})[slice(0, 59)];
    auto f = [](const Array& x, const Array& row, const Array& col) {
      Array r = lax::broadcast_in_dim(row, x.shape(), {0});
      Array c = lax::broadcast_in_dim(col, x.shape(), {1});
      return std::vector<Array>{lax::div(lax::sub(x, r), lax::add(c, r)), c};
    };
    std::vector<Array> want = f(x, row, col), got = jit(f)(x, row, col);
    for (size_t k = 0; k < got.size(); ++k) {
      expect_bitwise(got[k], want[k], "broadcast " + std::to_string(k));
    }
    ClosedJaxpr j = make_jaxpr(f)(x, row, col);
    std::vector<compiler::Fusion> fusions = compiler::plan_fusions(j.jaxpr());
    ASSERT_EQ(fusions.size(), 1u) << j;
    EXPECT_EQ(fusions[0].members.size(), j.jaxpr().eqns.size()) << j;
  }
  // Broadcasts along a middle axis, as the seed's nested-vmap pairwise distance makes them:
  // x[:, None, :] - y[None, :, :], squared, is one loop over N x M x D.
  auto pairwise = [](const Array& x, const Array& y) {
    return jnp::sqrt(jnp::sum(jnp::square(jnp::expand_dims(x, 1) - jnp::expand_dims(y, 0)), -1));
  };
  Array px = random::normal(random::PRNGKey(1), {7, 5}),
        py = random::normal(random::PRNGKey(2), {9, 5});
  expect_bitwise(jit(pairwise)(px, py), pairwise(px, py), "pairwise broadcast");
  auto dist = [](const Array& a, const Array& b) {
    return jnp::sqrt(jnp::sum(jnp::square(a - b)));
  };
  auto nested = vmap(vmap(dist, {none, 0}), {0, none});
  expect_bitwise(jit(nested)(px, py), nested(px, py), "nested vmap pairwise");
  auto mid = [](const Array& x, const Array& v) {
    return lax::mul(x, lax::broadcast_in_dim(v, x.shape(), {1}));
  };
  Array x3 = random::normal(random::PRNGKey(3), {4, 6, 5}),
        v = random::normal(random::PRNGKey(4), {6});
  expect_bitwise(jit(mid)(x3, v), mid(x3, v), "middle-axis broadcast");
  // An operand whose dimensions are all of size 1: every element reads element 0.
  auto ones = [](const Array& x, const Array& one) {
    return lax::add(x, lax::broadcast_in_dim(one, x.shape(), {1}));
  };
  Array x31 = random::normal(random::PRNGKey(5), {3, 1});
  expect_bitwise(jit(ones)(x31, jnp::array({2.5f})), ones(x31, jnp::array({2.5f})),
                 "size-1 operand");
  // The seed's per-image normalize under vmap: (x - mean) / std is one loop.
  auto normalize = [](const Array& x) { return (x - jnp::mean(x)) / jnp::std(x); };
  Array images = random::normal(random::PRNGKey(0), {6, 28, 28});
  expect_bitwise(jit(vmap(normalize))(images), vmap(normalize)(images), "normalize");
}

// One fusion of the optimised program of f(args...), holding every equation but `outside`.
template <class F, class... A>
compiler::Fusion single_fusion(const F& f, size_t outside, const A&... args) {
  ClosedJaxpr j = make_jaxpr(f)(args...);
  Jaxpr optimized = j.jaxpr();
  compiler::optimize(optimized);
  std::vector<compiler::Fusion> fusions = compiler::plan_fusions(optimized);
  EXPECT_EQ(fusions.size(), 1u) << optimized.str();
  if (fusions.size() != 1) return {};
  EXPECT_EQ(fusions[0].members.size() + outside, optimized.eqns.size()) << optimized.str();
  return fusions[0];
}

// Reductions over the last dimensions fuse with the elementwise ops producing their operand and
// consuming their result, and add in the eager kernel's order: the same bits, for row lengths
// around every multiple of the accumulator lanes, edge values (NaN, signed zeros, infinities)
// included, for sums, max and min, float and integer.
TEST(Codegen, RowReductionsFuseAndEqualTheEagerKernel) {
  for (DType dtype : {DType::float32, DType::float64}) {
    for (int64_t length : {2, 3, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 1000, 1003}) {
      const int64_t rows = 1003 / length;
      Array x = edge_values(dtype, 9)[slice(0, rows * length)].reshape({rows, length});
      auto f = [](const Array& x) {
        Array sq = lax::mul(x, x);
        return std::vector<Array>{lax::sqrt(lax::reduce_sum(sq, {1})),
                                  lax::reduce_max(lax::neg(x), {1}),
                                  lax::sub(lax::reduce_min(x, {1}), lax::reduce_sum(x, {1}))};
      };
      std::vector<Array> want = f(x), got = jit(f)(x);
      for (size_t k = 0; k < got.size(); ++k) {
        expect_bitwise(got[k], want[k],
                       "row length " + std::to_string(length) + " output " + std::to_string(k));
      }
      compiler::Fusion fused = single_fusion(f, 0, x);
      EXPECT_EQ(fused.program.reduced, length);
    }
  }
  // Rows longer than one leaf of the pairwise float sum (2048 float32, 1024 float64): leaves
  // summed from a table, added up the eager kernel's tree; a whole-array sum too.
  for (DType dtype : {DType::float32, DType::float64}) {
    for (int64_t length : {1025, 2048, 2049, 4096, 5003, 20000}) {
      Array x = lax::convert_element_type(random::normal(random::PRNGKey(length), {3, length}),
                                          dtype, false);
      auto f = [](const Array& x) {
        return std::vector<Array>{lax::reduce_sum(lax::mul(x, x), {1}),
                                  lax::reduce_max(lax::abs(x), {1})};
      };
      auto full = [](const Array& x) { return lax::reduce_sum(lax::add(x, x), {0, 1}); };
      expect_bitwise(jit(full)(x), full(x), "whole-array sum of " + std::to_string(length));
      std::vector<Array> want = f(x), got = jit(f)(x);
      for (size_t k = 0; k < got.size(); ++k) {
        expect_bitwise(got[k], want[k],
                       "long rows of " + std::to_string(length) + " output " + std::to_string(k));
      }
      if (dtype == DType::float32 && length == 5003) {
        EXPECT_EQ(single_fusion(f, 0, x).program.reduced, length);
        EXPECT_EQ(single_fusion(full, 0, x).program.reduced, 3 * length);
      }
    }
  }
  // Transcendentals in the reduction pass run as explicit vectors of the accumulators' width.
  for (DType dtype : {DType::float32, DType::float64}) {
    Array x = edge_values(dtype, 10)[slice(0, 17 * 59)].reshape({17, 59});
    auto lse = [](const Array& x) {
      return lax::log(lax::reduce_sum(lax::exp(lax::tanh(x)), {1}));
    };
    expect_bitwise(jit(lse)(x), lse(x), "logsumexp rows");
  }
  // A per-row value broadcast along the rows ([n] -> [1, n]) is no per-row value: it varies
  // along the reduced dimension.
  auto across = [](const Array& x) {
    return lax::mul(x, lax::expand_dims(lax::reduce_sum(x, {1}), {0}));
  };
  Array sq = random::normal(random::PRNGKey(12), {5, 5});
  expect_bitwise(jit(across)(sq), across(sq), "row sums along the other axis");
  auto isum = [](const Array& x) {
    return lax::reduce_max(lax::mul(x, x), {1, 2}) + lax::reduce_sum(x, {1, 2});
  };
  for (DType dtype : {DType::int32, DType::uint32, DType::int64}) {
    Array xi =
        lax::convert_element_type(jnp::arange(-300.0, 300.0).reshape({6, 10, 10}), dtype, false);
    expect_bitwise(jit(isum)(xi), isum(xi), "integer rows");
  }
}

// The seed's reductions in one kernel per row: normalize's mean, variance and normalised image;
// the nested-vmap pairwise distance (the sum over D inside the (i, j) loop: only the N x M result
// is written); softmax's Jacobian rows under vmap(jacrev), its per-row sum broadcast back.
TEST(Codegen, SeedReductionsAreOneRowProgram) {
  auto normalize = vmap([](const Array& x) { return (x - jnp::mean(x)) / jnp::std(x); });
  Array images = random::normal(random::PRNGKey(0), {6, 28, 28});
  expect_bitwise(jit(normalize)(images), normalize(images), "normalize");
  compiler::Fusion n = single_fusion(normalize, 0, images);
  EXPECT_EQ(n.program.reduced, 28 * 28);
  EXPECT_EQ(n.outputs.size(), 1u);

  auto dist = [](const Array& a, const Array& b) {
    return jnp::sqrt(jnp::sum(jnp::square(a - b)));
  };
  auto pairwise = vmap(vmap(dist, {none, 0}), {0, none});
  Array px = random::normal(random::PRNGKey(1), {7, 64}),
        py = random::normal(random::PRNGKey(2), {9, 64});
  expect_bitwise(jit(pairwise)(px, py), pairwise(px, py), "pairwise");
  compiler::Fusion p = single_fusion(pairwise, 2, px, py);  // the two expand_dims are views
  EXPECT_EQ(p.program.reduced, 64);
  EXPECT_EQ(p.iterations, 7 * 9);

  // Per-row values broadcast back along the row, with the mean's row written out too.
  auto centred = [](const Array& x) {
    Array m = lax::reduce_sum(x, {1});
    Array b = lax::broadcast_in_dim(m, x.shape(), {0});
    return std::vector<Array>{lax::sub(x, b), m};
  };
  Array x = edge_values(DType::float32, 11)[slice(0, 990)].reshape({30, 33});
  std::vector<Array> want = centred(x), got = jit(centred)(x);
  for (size_t k = 0; k < got.size(); ++k) expect_bitwise(got[k], want[k], "broadcast row value");
}

// Transposes, slices (strided too) and reversals of arrays are read at remapped indices inside
// the loop instead of being materialised, composed when one reads another, in flat loops and in
// row programs.
TEST(Codegen, IndexRemappingOperandsAreReadInPlace) {
  for (DType dtype : {DType::float32, DType::float64}) {
    Array x = edge_values(dtype, 14)[slice(0, 6 * 5 * 7)].reshape({6, 5, 7});
    Array y = edge_values(dtype, 15)[slice(0, 5 * 7 * 6)].reshape({5, 7, 6});
    Array z = edge_values(dtype, 16)[slice(0, 12 * 5 * 9)].reshape({12, 5, 9});
    auto f = [](const Array& x, const Array& y, const Array& z) {
      Array t = lax::transpose(y, {2, 0, 1});                       // [6, 5, 7]
      Array rt = lax::rev(t, {1});                                  // composed with t
      Array s = lax::slice(z, {1, 0, 1}, {12, 5, 8}, {{2, 1, 1}});  // [6, 5, 7]
      Array v = lax::add(lax::mul(rt, lax::rev(x, {0, 2})), s);
      return std::vector<Array>{v, lax::reduce_max(lax::sub(v, t), {2})};
    };
    std::vector<Array> want = f(x, y, z), got = jit(f)(x, y, z);
    for (size_t k = 0; k < got.size(); ++k) {
      expect_bitwise(got[k], want[k], "remapped reads " + std::to_string(k));
    }
    single_fusion(f, 0, x, y, z);
    auto flat = [](const Array& x, const Array& z) {
      return lax::mul(lax::transpose(x, {2, 1, 0}), lax::slice(z, {0, 0, 0}, {7, 5, 6}));
    };
    Array z2 = z.reshape({12 * 5 * 9})[slice(0, 7 * 5 * 6)].reshape({7, 5, 6});
    expect_bitwise(jit(flat)(x, z2), flat(x, z2), "flat remapped reads");
  }
}

// A transpose consuming a value of the loop is its store: vmap's out_axes=-1 of the seed's
// normalize writes each image's pixels across the batch from the same kernel (rows gathered in
// tiles first); a flat loop stores transposed directly.
TEST(Codegen, TransposedResultsAreStoredByTheLoop) {
  auto normalize = [](const Array& x) { return (x - jnp::mean(x)) / jnp::std(x); };
  auto last = vmap(normalize, 0, -1);
  for (int64_t batch : {1, 6, 16, 17, 40}) {
    Array images = random::normal(random::PRNGKey(batch), {batch, 28, 28});
    expect_bitwise(jit(last)(images), last(images),
                   "normalize out_axes=-1, batch " + std::to_string(batch));
  }
  Array images = random::normal(random::PRNGKey(0), {6, 28, 28});
  compiler::Fusion n = single_fusion(last, 0, images);
  ASSERT_EQ(n.program.stores.size(), 1u);
  EXPECT_FALSE(n.program.stores[0].inner.empty());
  // Several outputs, one transposed, one per row, a bool one transposed too.
  auto mixed = [](const Array& x) {
    Array m = lax::reduce_max(x, {2});
    Array d = lax::sub(x, lax::broadcast_in_dim(m, x.shape(), {0, 1}));
    return std::vector<Array>{lax::transpose(d, {2, 0, 1}), m,
                              lax::transpose(lax::lt(d, jnp::full_like(d, -1.0)), {1, 2, 0})};
  };
  Array x = edge_values(DType::float64, 17)[slice(0, 5 * 3 * 7)].reshape({5, 3, 7});
  std::vector<Array> want = mixed(x), got = jit(mixed)(x);
  for (size_t k = 0; k < got.size(); ++k) expect_bitwise(got[k], want[k], "mixed stores");
  // Whole tiles transposed in registers with a row length that is no multiple of the tile.
  auto centred = [](const Array& x) {
    Array m = lax::reduce_max(x, {1});
    return lax::transpose(lax::sub(x, lax::broadcast_in_dim(m, x.shape(), {0})), {1, 0});
  };
  Array wide = random::normal(random::PRNGKey(26), {40, 20});
  expect_bitwise(jit(centred)(wide), centred(wide), "tiles of 16 rows of 20");
  auto flat = [](const Array& x) {
    Array y = lax::mul(x, x);
    return std::vector<Array>{lax::transpose(lax::add(y, x), {2, 0, 1}), y};
  };
  std::vector<Array> want2 = flat(x), got2 = jit(flat)(x);
  for (size_t k = 0; k < got2.size(); ++k) expect_bitwise(got2[k], want2[k], "flat transposed");
  single_fusion(flat, 0, x);
}

// A stack of values of a loop (jnp.stack of per-example values under vmap, the seed's
// predict) is stored by the loop: each operand at its place in the result, in one buffer.
TEST(Codegen, StacksOfLoopValuesAreStoredByTheLoop) {
  auto predict = [](const Array& w, const Array& x) {
    Array logits = jnp::dot(x, w) + 0.25f;
    return jnp::stack({logits, jx::nn::sigmoid(logits), -logits});
  };
  Array w = random::normal(random::PRNGKey(40), {16});
  for (int64_t n : {1, 7, 1003}) {
    Array x = random::normal(random::PRNGKey(41), {n, 16});
    auto batched = vmap(predict, {none, 0});
    expect_bitwise(jit(batched)(w, x), batched(w, x), "vmap(predict), n " + std::to_string(n));
    auto columns = vmap(predict, {none, 0}, 1);  // stacked along axis 0 of the result
    expect_bitwise(jit(columns)(w, x), columns(w, x), "out_axes=1, n " + std::to_string(n));
  }
  Array x = random::normal(random::PRNGKey(42), {5, 16});
  compiler::Fusion f = single_fusion(vmap(predict, {none, 0}), 1, w, x);  // the dot is a kernel
  ASSERT_EQ(f.program.stores.size(), 3u);
  EXPECT_EQ(f.outputs.size(), 1u);
  EXPECT_EQ(f.program.stores[2].into, 0);
  EXPECT_EQ(f.program.stores[2].offset, 2);
  // Operands of different shapes, or read from outside, stay a concatenate kernel.
  auto mixed = [](const Array& a, const Array& b) {
    return std::vector<Array>{jnp::concatenate({a * a, b}, 0),
                              jnp::concatenate({a + 1.0f, a * 2.0f, a * a}, 0)};
  };
  Array a = edge_values(DType::float32, 43)[slice(0, 12)].reshape({3, 4}), b = jnp::ones({2, 4});
  std::vector<Array> want = mixed(a, b), got = jit(mixed)(a, b);
  for (size_t k = 0; k < got.size(); ++k) expect_bitwise(got[k], want[k], "mixed concatenates");
}

// A bias added to every row (read at i % n in a flat loop, which the vectoriser would only
// handle by a runtime check that fails for more than one row) runs as rows of the last
// dimension, where the bias is read contiguously; the same bits.
TEST(Codegen, BroadcastsAlongRowsRunAsRows) {
  auto layer = [](const Array& x, const Array& b) { return jnp::tanh(x + b); };
  Array x = random::normal(random::PRNGKey(30), {64, 128}),
        b = random::normal(random::PRNGKey(31), {128});
  expect_bitwise(jit(layer)(x, b), layer(x, b), "bias and tanh");
  compiler::Fusion f = single_fusion(layer, 1, x, b);  // the bias's expand_dims is a view
  EXPECT_EQ(f.program.reduced, 128);
  EXPECT_EQ(f.iterations, 64);
}

// Found in review: each of these planned a loop that computed something else.
TEST(Codegen, PlannerCornerCases) {
  // A dying operand read through a transpose or a reversal is no destination for the loop.
  auto transposed = [](const Array& z) {
    return lax::add(lax::transpose(lax::tan(z), {1, 0}), Array(1.0f));
  };
  auto flipped = [](const Array& z) {
    return lax::mul(lax::rev(lax::tan(z), {0, 1}), Array(2.0f));
  };
  Array z = random::normal(random::PRNGKey(20), {9, 9});
  expect_bitwise(jit(transposed)(z), transposed(z), "in place over a transposed read");
  expect_bitwise(jit(flipped)(z), flipped(z), "in place over a reversed read");
  // A value of the loop's shape computed once per row is still written at every element.
  auto per_row = [](const Array& x, const Array& m) {
    Array c = lax::broadcast_in_dim(x, m.shape(), {0});
    return std::vector<Array>{lax::mul(c, Array(2.0f)), lax::reduce_sum(m, {1}), c};
  };
  Array x = random::normal(random::PRNGKey(21), {7}),
        m = random::normal(random::PRNGKey(22), {7, 5});
  std::vector<Array> want = per_row(x, m), got = jit(per_row)(x, m);
  for (size_t k = 0; k < got.size(); ++k) expect_bitwise(got[k], want[k], "per-row value");
  // An outside (1, n) array read along r by an element op and at o by a per-row op.
  auto both = [](const Array& sq, const Array& v) {
    Array s = lax::reduce_sum(lax::mul(sq, v), {1});
    return lax::add(lax::reshape(s, {1, 6}), v);
  };
  Array sq = random::normal(random::PRNGKey(23), {6, 6}),
        v = random::normal(random::PRNGKey(24), {1, 6});
  expect_bitwise(jit(both)(sq, v), both(sq, v), "one array read two ways");
  // A row value broadcast with its dimensions swapped.
  auto swapped = [](const Array& c) {
    Array s = lax::reduce_sum(c, {2});
    return lax::sub(c, lax::broadcast_in_dim(s, c.shape(), {1, 0}));
  };
  Array cube = random::normal(random::PRNGKey(25), {4, 4, 3});
  expect_bitwise(jit(swapped)(cube), swapped(cube), "swapped row broadcast");
}

TEST(Codegen, InPlaceOverDyingBuffers) {
  // Each step's operand dies there: the loops write over it through its own pointer.
  auto f = jit([](const Array& x) {
    Array y = lax::tan(x);  // not generated: a kernel, then a loop over its dying output
    return lax::add(lax::mul(y, y), Array(1.0f));
  });
  Array x = edge_values(DType::float32, 3);
  Array want = lax::add(lax::mul(lax::tan(x), lax::tan(x)), Array(1.0f));
  size_t before = memory::stats().os_allocations + memory::stats().cache_hits;
  Array got = f(x);
  got = f(x);
  EXPECT_LE(memory::stats().os_allocations + memory::stats().cache_hits - before, 4u);
  expect_bitwise(got, want, "tan then fused loop in place");
}

TEST(Codegen, KernelsAreCompiledOncePerComputation) {
  auto chain = [](const Array& x) { return lax::mul(lax::add(x, x), x); };
  Array x = jnp::ones({5});
  jit(chain)(x);
  int64_t compiled = compiler::compiled_kernels();
  // Another jitted function with the same computation reuses the kernel.
  jit(chain)(x * 2.0f);
  jit([](const Array& v) { return lax::mul(lax::add(v, v), v); })(x);
  EXPECT_EQ(compiler::compiled_kernels(), compiled);
}

TEST(Codegen, OffMeansKernelsOnly) {
  compiler::set_codegen_enabled(false);
  auto chain = [](const Array& x) { return lax::sqrt(lax::add(lax::mul(x, x), Array(1.0f))); };
  ClosedJaxpr j = make_jaxpr(chain)(jnp::ones({3}));
  EXPECT_TRUE(compiler::plan_fusions(j.jaxpr()).empty());
  Array x = edge_values(DType::float32, 4);
  expect_bitwise(jit(chain)(x), chain(x), "codegen off");
  compiler::set_codegen_enabled(true);
  EXPECT_EQ(compiler::plan_fusions(j.jaxpr()).size(), 1u);
}

}  // namespace
}  // namespace jx
