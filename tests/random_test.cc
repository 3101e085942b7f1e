// jx::random against JAX's bits: the Random123 known answer for threefry2x32, PRNGKey, split in
// both schemes, the seed tutorial's dropout matrix (vmap over split keys), and vmap-vs-loop over
// keys.
#include <gtest/gtest.h>

#include <jx/jx.h>

#include <cstring>
#include <random>
#include <sstream>

#include "test_util.h"

namespace jx {
namespace {
namespace jnp = numpy;
using testing::expect_array_eq;
using testing::expect_error;

Array u32s(std::vector<uint32_t> v, Shape s) { return Array::from_vector(v, s); }

bool same(const Array& a, const Array& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() &&
         a.to_vector<double>() == b.to_vector<double>();
}

// Restores the default scheme when a test switches to the legacy one.
struct LegacyScheme {
  LegacyScheme() { config::set_threefry_partitionable(false); }
  ~LegacyScheme() { config::set_threefry_partitionable(true); }
};

TEST(Random, Threefry2x32KnownAnswer) {
  auto [a, b] = lax::threefry2x32(u32s({0x13198a2e}, {}), u32s({0x03707344}, {}),
                                  u32s({0x243f6a88}, {}), u32s({0x85a308d3}, {}));
  EXPECT_EQ(a.item<uint32_t>(), 0xc4923a9cu);
  EXPECT_EQ(b.item<uint32_t>(), 0x483df7a0u);
  // Random123's other known answers for Threefry-2x32-20: zero key/counter, all-ones.
  auto [z1, z2] = lax::threefry2x32(u32s({0}, {}), u32s({0}, {}), u32s({0}, {}), u32s({0}, {}));
  EXPECT_EQ(z1.item<uint32_t>(), 0x6b200159u);
  EXPECT_EQ(z2.item<uint32_t>(), 0x99ba4efeu);
  uint32_t ones = 0xffffffffu;
  auto [o1, o2] =
      lax::threefry2x32(u32s({ones}, {}), u32s({ones}, {}), u32s({ones}, {}), u32s({ones}, {}));
  EXPECT_EQ(o1.item<uint32_t>(), 0x1cb996fcu);
  EXPECT_EQ(o2.item<uint32_t>(), 0xbb002be7u);
  // Many blocks (the parallel, vectorised path) equal the one-block answers.
  Array k1 = lax::broadcast_in_dim(u32s({0x13198a2e}, {}), {100000}, {});
  Array k2 = lax::broadcast_in_dim(u32s({0x03707344}, {}), {100000}, {});
  Array c1 = lax::broadcast_in_dim(u32s({0x243f6a88}, {}), {100000}, {});
  Array c2 = lax::broadcast_in_dim(u32s({0x85a308d3}, {}), {100000}, {});
  auto [m1, m2] = lax::threefry2x32(k1, k2, c1, c2);
  EXPECT_EQ(m1.to_vector<uint32_t>(), std::vector<uint32_t>(100000, 0xc4923a9cu));
  EXPECT_EQ(m2.to_vector<uint32_t>(), std::vector<uint32_t>(100000, 0x483df7a0u));
}

TEST(Random, KeysAndSplit) {
  expect_array_eq<uint32_t>(random::PRNGKey(42), {0, 42}, {2});
  expect_array_eq<uint32_t>(random::PRNGKey(int64_t{1} << 40 | 7), {256, 7}, {2});
  expect_array_eq<uint32_t>(random::PRNGKey(-1), {0xffffffffu, 0xffffffffu}, {2});
  expect_array_eq<uint32_t>(
      random::split(random::PRNGKey(42), 4),
      {1832780943, 270669613, 64467757, 2916123636, 2465931498, 255383827, 3134548294, 894150801},
      {4, 2});
  EXPECT_EQ(random::split(random::PRNGKey(0), Shape{2, 3}).shape(), Shape({2, 3, 2}));
  LegacyScheme legacy;
  expect_array_eq<uint32_t>(random::split(random::PRNGKey(0)),
                            {4146024105, 967050713, 2718843009, 1272950319}, {2, 2});
}

// The seed's section 5: vmap(dropout_layer) over split(PRNGKey(42), 4), printed by real JAX.
TEST(Random, SeedDropoutMatrix) {
  auto dropout_layer = [](const Array& key, const Array& x) {
    const float rate = 0.1f;
    Array keep = random::bernoulli(key, 1.0f - rate, x.shape());
    return jnp::where(keep, x / (1.0f - rate), 0.0f);
  };
  Array keys = random::split(random::PRNGKey(42), 4);
  Array out = vmap(dropout_layer)(keys, jnp::ones({4, 5}));
  std::ostringstream os;
  os << out;
  EXPECT_EQ(os.str(),
            "[[1.1111112 1.1111112 0.        1.1111112 1.1111112]\n"
            " [1.1111112 1.1111112 1.1111112 1.1111112 1.1111112]\n"
            " [1.1111112 1.1111112 1.1111112 1.1111112 1.1111112]\n"
            " [1.1111112 1.1111112 1.1111112 1.1111112 1.1111112]]");
}

// vmap over keys equals a loop over keys, for every sampler here; one shared key (in_axes none)
// gives every example the same sample.
TEST(Random, VmapOverKeysEqualsLoop) {
  Array keys = random::split(random::PRNGKey(7), 5);
  auto samplers = std::vector<std::function<Array(const Array&)>>{
      [](const Array& k) { return random::bits(k, {3}); },
      [](const Array& k) {
        return random::uniform(k, {2, 3});
      },
      [](const Array& k) { return random::normal(k, {4}, DType::float64); },
      [](const Array& k) { return random::bernoulli(k, 0.3, Shape{6}); },
      [](const Array& k) { return random::split(k, 3); },
      [](const Array& k) { return random::fold_in(k, 11); },
  };
  for (size_t s = 0; s < samplers.size(); ++s) {
    Array batched = vmap(samplers[s])(keys);
    for (int64_t i = 0; i < 5; ++i) {
      Array one = samplers[s](keys[i]);
      EXPECT_TRUE(same(batched[i], one)) << "sampler " << s;
    }
    auto shared = [&](const Array& k, const Array& x) { return samplers[s](k); };
    Array shared_out = vmap(shared, {none, 0})(keys[0], jnp::zeros({3}));
    EXPECT_TRUE(same(shared_out[2], samplers[s](keys[0])));
  }
}

// The fused random_bits primitive equals its definition written with threefry2x32 on explicit
// counters: partitionable (counter i -> hash (0, i), words xor-ed / concatenated) and legacy (a
// stream from counters 0..m-1 hashed in pairs (j, j + half), padded with 0 when m is odd).
TEST(Random, RandomBitsEqualsThreefryOnCounters) {
  Array keys = random::split(random::PRNGKey(3), 3);
  for (int64_t n : {int64_t{1}, int64_t{7}, int64_t{10000}}) {
    for (int64_t k = 0; k < 3; ++k) {
      Array key = keys[k];
      Array k1 = lax::reshape(lax::slice(key, {0}, {1}), {});
      Array k2 = lax::reshape(lax::slice(key, {1}, {2}), {});
      Array iota = lax::iota(DType::uint32, n);
      auto [b1, b2] =
          lax::threefry2x32(k1, k2, lax::broadcast_in_dim(u32s({0}, {}), {n}, {}), iota);
      std::vector<uint32_t> w1 = b1.to_vector<uint32_t>(), w2 = b2.to_vector<uint32_t>();
      std::vector<uint32_t> x32(w1.size());
      std::vector<int64_t> x64(w1.size());
      for (size_t i = 0; i < w1.size(); ++i) {
        x32[i] = w1[i] ^ w2[i];
        x64[i] = static_cast<int64_t>((uint64_t{w1[i]} << 32) | w2[i]);
      }
      EXPECT_EQ(lax::random_bits(key, 32, {n}, true).to_vector<uint32_t>(), x32);
      EXPECT_EQ(lax::random_bits(key, 64, {n}, true).to_vector<int64_t>(), x64);
      std::vector<uint8_t> x8(x32.begin(), x32.end());
      EXPECT_EQ(lax::random_bits(key, 8, {n}, true).to_vector<uint8_t>(), x8);
      // Legacy: words 0..m-1 hashed in pairs (j, j + half).
      for (int width : {32, 64}) {
        int64_t m = width / 32 * n, half = (m + 1) / 2;
        std::vector<uint32_t> lo(half), hi(half);
        for (int64_t j = 0; j < half; ++j) {
          lo[j] = static_cast<uint32_t>(j);
          hi[j] = j + half < m ? static_cast<uint32_t>(j + half) : 0;
        }
        auto [y1, y2] = lax::threefry2x32(k1, k2, u32s(lo, {half}), u32s(hi, {half}));
        std::vector<uint32_t> stream = y1.to_vector<uint32_t>(), s2 = y2.to_vector<uint32_t>();
        stream.insert(stream.end(), s2.begin(), s2.end());
        if (width == 32) {
          EXPECT_EQ(lax::random_bits(key, 32, {n}, false).to_vector<uint32_t>(),
                    std::vector<uint32_t>(stream.begin(), stream.begin() + n));
        } else {
          std::vector<int64_t> v(n);
          for (int64_t i = 0; i < n; ++i) {
            v[i] = static_cast<int64_t>((uint64_t{stream[i]} << 32) | stream[n + i]);
          }
          EXPECT_EQ(lax::random_bits(key, 64, {n}, false).to_vector<int64_t>(), v);
        }
      }
    }
  }
  // Several keys at once: one row of bits per key.
  Array rows = lax::random_bits(keys, 32, {5}, true);
  EXPECT_EQ(rows.shape(), Shape({3, 5}));
  EXPECT_EQ(rows[2].to_vector<uint32_t>(),
            lax::random_bits(keys[2], 32, {5}, true).to_vector<uint32_t>());
  expect_error<ValueError>([&] { lax::random_bits(keys, 16, {5}, true); },
                           {"bit_width must be 8, 32 or 64, got 16"});
  expect_error<ShapeError>([] { lax::random_bits(random::PRNGKey(0), 32, {-1}, true); },
                           {"random_bits shape must have every element be nonnegative"});
}

// fold_in hashes the counter pair (0, data) (JAX's threefry_seed of a uint32 then threefry_2x32);
// uniform puts the top mantissa bits under the exponent of 1.0 and subtracts 1.
TEST(Random, FoldInAndUniformFromBits) {
  Array key = random::PRNGKey(1234);
  auto [y1, y2] = lax::threefry2x32(u32s({0}, {}), u32s({1234}, {}), u32s({0}, {}), u32s({5}, {}));
  expect_array_eq<uint32_t>(random::fold_in(key, 5), {y1.item<uint32_t>(), y2.item<uint32_t>()},
                            {2});
  std::vector<uint32_t> b32 = random::bits(key, {64}).to_vector<uint32_t>();
  std::vector<float> u32v = random::uniform(key, {64}).to_vector<float>();
  std::vector<int64_t> b64 = lax::random_bits(key, 64, {64}, true).to_vector<int64_t>();
  std::vector<double> u64v = random::uniform(key, {64}, DType::float64).to_vector<double>();
  for (size_t i = 0; i < 64; ++i) {
    uint32_t f = (b32[i] >> 9) | 0x3F800000u;
    float expected32;
    std::memcpy(&expected32, &f, 4);
    EXPECT_EQ(u32v[i], expected32 - 1.0f);
    uint64_t d = (static_cast<uint64_t>(b64[i]) >> 12) | 0x3FF0000000000000ull;
    double expected64;
    std::memcpy(&expected64, &d, 8);
    EXPECT_EQ(u64v[i], expected64 - 1.0);
  }
  // minval/maxval scale and shift; broadcasting bounds of rank below the shape.
  Array scaled = random::uniform(key, {2, 3}, DType::float32, -2.0, jnp::array({1.f, 2.f, 3.f}));
  Array base = random::uniform(key, {2, 3});
  std::vector<float> s = scaled.to_vector<float>(), b = base.to_vector<float>();
  for (size_t i = 0; i < 6; ++i) {
    // Rounded once per op as the kernels do (no fused multiply-add).
    volatile float product = b[i] * (1.0f + static_cast<float>(i % 3) + 2.0f);
    EXPECT_EQ(s[i], std::max(-2.0f, product + -2.0f));
  }
}

TEST(Random, Errors) {
  expect_error<DTypeError>([] { random::uniform(jnp::zeros({2}), {3}); },
                           {"invalid PRNG key data", "uint32"});
  expect_error<ShapeError>([] { random::normal(random::split(random::PRNGKey(0), 3), {2}); },
                           {"expected a single PRNG key of shape (2,)", "(3, 2)"});
  expect_error<DTypeError>([] { random::uniform(random::PRNGKey(0), {2}, DType::int32); },
                           {"uniform requires a floating dtype"});
}

// Randomized bad (and good) arguments to every function of jx::random: each call succeeds or
// throws a jx::Error, never anything else.
TEST(Random, RandomArgumentsOnlyEverThrowJxErrors) {
  std::mt19937 rng(5);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const DType dtypes[] = {DType::bool_, DType::uint8,   DType::uint32, DType::int32,
                          DType::int64, DType::float32, DType::float64};
  auto shape = [&] {
    std::vector<int64_t> s(static_cast<size_t>(pick(0, 3)));
    for (auto& d : s) d = pick(-1, 3);
    return Shape(s);
  };
  auto array = [&] {
    Shape s = shape();
    for (int64_t& d : s) d = std::max<int64_t>(d, 0);
    return jnp::zeros(s, dtypes[pick(0, 6)]);
  };
  int ok = 0, errors = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    Array key = pick(0, 2) ? random::PRNGKey(pick(0, 100)) : array();
    DType dtype = dtypes[pick(0, 6)];
    try {
      switch (pick(0, 17)) {
        case 0:
          random::split(key, pick(-1, 3));
          break;
        case 1:
          random::fold_in(key, array());
          break;
        case 2:
          random::bits(key, shape(), dtype);
          break;
        case 3:
          random::uniform(key, shape(), dtype, array(), array());
          break;
        case 4:
          random::normal(key, shape(), dtype);
          break;
        case 5:
          random::bernoulli(key, array(), shape());
          break;
        case 6:
          random::truncated_normal(key, array(), array(), shape(), dtype);
          break;
        case 7:
          random::randint(key, shape(), array(), array(), dtype);
          break;
        case 8:
          random::permutation(key, array(), pick(-3, 3), pick(0, 1));
          break;
        case 9:
          random::choice(key, array(), shape(), pick(0, 1), std::nullopt, pick(-2, 2));
          break;
        case 10:
          random::categorical(key, array(), pick(-3, 3), shape());
          break;
        case 11:
          random::gumbel(key, shape(), dtype);
          break;
        case 12:
          random::exponential(key, shape(), dtype);
          break;
        case 13:
          random::laplace(key, shape(), dtype);
          break;
        case 14:
          random::logistic(key, shape(), dtype);
          break;
        case 15:
          random::key_data(array());
          break;
        case 16:
          random::choice(key, pick(-2, 5), shape(), pick(0, 1), array());
          break;
        default:
          lax::random_bits(array(), pick(0, 70), shape(), pick(0, 1));
          break;
      }
      ++ok;
    } catch (const Error&) {
      ++errors;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "trial " << trial << ": not a jx::Error: " << e.what();
    }
  }
  EXPECT_GT(ok, 100);
  EXPECT_GT(errors, 500);
}

}  // namespace
}  // namespace jx
