// Statistical checks of every jx::random sampler with fixed keys: moments (5-sigma bounds),
// Kolmogorov-Smirnov distance to the exact CDF below the 0.1% critical value 1.95/sqrt(n),
// chi-square bounds on discrete frequencies; plus the derivations JAX uses (checked bit for bit
// against plain C++ on the same bits), vmap-vs-loop over keys, shapes, dtypes and errors.
#include <gtest/gtest.h>

#include <jx/jx.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <vector>

#include "test_util.h"

namespace jx {
namespace {
namespace jnp = numpy;
using testing::expect_error;

constexpr int64_t kN = 200000;
const double kPi = std::acos(-1.0);

Array key(int64_t seed) { return random::PRNGKey(seed); }

std::vector<double> values(const Array& x) { return x.to_vector<double>(); }

// Mean within 5 standard errors, variance within 5 standard errors of the sample variance.
void expect_moments(const std::vector<double>& x, double mean, double var) {
  const double n = static_cast<double>(x.size());
  double m = std::accumulate(x.begin(), x.end(), 0.0) / n;
  double m2 = 0, m4 = 0;
  for (double v : x) {
    double d = v - m;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m4 /= n;
  EXPECT_NEAR(m, mean, 5 * std::sqrt(var / n)) << "mean";
  EXPECT_NEAR(m2, var, 5 * std::sqrt((m4 - m2 * m2) / n)) << "variance";
}

// The Kolmogorov-Smirnov statistic sup |F_n(x) - F(x)|.
double ks_statistic(std::vector<double> x, const std::function<double(double)>& cdf) {
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  double d = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    double f = cdf(x[i]);
    d = std::max({d, std::abs(static_cast<double>(i + 1) / n - f),
                  std::abs(f - static_cast<double>(i) / n)});
  }
  return d;
}

void expect_ks(const std::vector<double>& x, const std::function<double(double)>& cdf) {
  double d = ks_statistic(x, cdf);
  EXPECT_LT(d, 1.95 / std::sqrt(static_cast<double>(x.size()))) << "KS statistic " << d;
}

// The 0.1% critical value of chi-square with k degrees of freedom (Wilson-Hilferty).
double chi2_critical(int k) {
  double c = 2.0 / (9.0 * k);
  return k * std::pow(1 - c + 3.0902 * std::sqrt(c), 3);
}

// Chi-square of integer samples in [0, k) against probabilities p.
void expect_frequencies(const std::vector<double>& x, const std::vector<double>& p) {
  std::vector<double> count(p.size(), 0);
  for (double v : x) {
    ASSERT_GE(v, 0);
    ASSERT_LT(v, static_cast<double>(p.size()));
    count[static_cast<size_t>(v)] += 1;
  }
  double chi2 = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    double e = p[i] * static_cast<double>(x.size());
    chi2 += (count[i] - e) * (count[i] - e) / e;
  }
  EXPECT_LT(chi2, chi2_critical(static_cast<int>(p.size()) - 1)) << "chi-square";
}

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
double normal_pdf(double x) { return std::exp(-x * x / 2) / std::sqrt(2 * kPi); }

bool same(const Array& a, const Array& b) {
  if (a.shape() != b.shape() || a.dtype() != b.dtype()) return false;
  std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
  for (size_t i = 0; i < x.size(); ++i) {
    if (!(x[i] == y[i] || (std::isnan(x[i]) && std::isnan(y[i])))) return false;
  }
  return true;
}

// ---- continuous samplers: moments and KS against the exact CDF ------------------------------

TEST(RandomSamplers, Uniform) {
  for (DType d : {DType::float32, DType::float64}) {
    Array x = random::uniform(key(1), {kN}, d);
    EXPECT_EQ(x.dtype(), d);
    std::vector<double> v = values(x);
    EXPECT_GE(*std::min_element(v.begin(), v.end()), 0.0);
    EXPECT_LT(*std::max_element(v.begin(), v.end()), 1.0);
    expect_moments(v, 0.5, 1.0 / 12);
    expect_ks(v, [](double t) { return t; });
  }
  // minval/maxval broadcast against shape.
  Array lo = Array::from_vector<float>({-2, 10}, {2});
  std::vector<double> v = values(random::uniform(key(2), {kN / 2, 2}, DType::float32, lo, 12.0f));
  std::vector<double> first, second;
  for (size_t i = 0; i < v.size(); ++i) (i % 2 ? second : first).push_back(v[i]);
  expect_ks(first, [](double t) { return (t + 2) / 14; });
  expect_ks(second, [](double t) { return (t - 10) / 2; });
}

TEST(RandomSamplers, Normal) {
  for (DType d : {DType::float32, DType::float64}) {
    std::vector<double> v = values(random::normal(key(3), {kN}, d));
    expect_moments(v, 0, 1);
    expect_ks(v, normal_cdf);
  }
}

TEST(RandomSamplers, TruncatedNormal) {
  const double a = -0.5, b = 2.0;
  const double z = normal_cdf(b) - normal_cdf(a);
  const double mean = (normal_pdf(a) - normal_pdf(b)) / z;
  const double var = 1 + (a * normal_pdf(a) - b * normal_pdf(b)) / z - mean * mean;
  for (DType d : {DType::float32, DType::float64}) {
    Array x = random::truncated_normal(key(4), a, b, Shape{kN}, d);
    EXPECT_EQ(x.dtype(), d);
    std::vector<double> v = values(x);
    EXPECT_GT(*std::min_element(v.begin(), v.end()), a);
    EXPECT_LT(*std::max_element(v.begin(), v.end()), b);
    expect_moments(v, mean, var);
    expect_ks(v, [&](double t) { return (normal_cdf(t) - normal_cdf(a)) / z; });
  }
  // Shape from the bounds; a one-sided tail far out stays strictly inside its interval.
  Array lower = Array::from_vector<float>({-1, 0, 5}, {3});
  Array x = random::truncated_normal(key(5), lower, Array::from_vector<float>({1}, {1}));
  EXPECT_EQ(x.shape(), Shape({3}));
  std::vector<double> tail = values(random::truncated_normal(key(6), 5.0f, 6.0f, Shape{1000}));
  for (double t : tail) {
    ASSERT_GT(t, 5.0);
    ASSERT_LT(t, 6.0);
  }
}

TEST(RandomSamplers, Exponential) {
  for (DType d : {DType::float32, DType::float64}) {
    std::vector<double> v = values(random::exponential(key(7), {kN}, d));
    EXPECT_GE(*std::min_element(v.begin(), v.end()), 0.0);
    expect_moments(v, 1, 1);
    expect_ks(v, [](double t) { return t < 0 ? 0 : 1 - std::exp(-t); });
  }
}

TEST(RandomSamplers, Laplace) {
  for (DType d : {DType::float32, DType::float64}) {
    std::vector<double> v = values(random::laplace(key(8), {kN}, d));
    expect_moments(v, 0, 2);
    expect_ks(v, [](double t) { return t < 0 ? 0.5 * std::exp(t) : 1 - 0.5 * std::exp(-t); });
  }
}

TEST(RandomSamplers, Logistic) {
  for (DType d : {DType::float32, DType::float64}) {
    std::vector<double> v = values(random::logistic(key(9), {kN}, d));
    expect_moments(v, 0, kPi * kPi / 3);
    expect_ks(v, [](double t) { return 1 / (1 + std::exp(-t)); });
  }
}

TEST(RandomSamplers, Gumbel) {
  const double euler_gamma = 0.57721566490153286;
  for (DType d : {DType::float32, DType::float64}) {
    std::vector<double> v = values(random::gumbel(key(42), {kN}, d));
    expect_moments(v, euler_gamma, kPi * kPi / 6);
    expect_ks(v, [](double t) { return std::exp(-std::exp(-t)); });
  }
}

// ---- discrete samplers ----------------------------------------------------------------------

TEST(RandomSamplers, Bits) {
  for (DType d : {DType::uint32, DType::uint8}) {
    const int width = d == DType::uint32 ? 32 : 8;
    Array x = random::bits(key(11), {kN}, d);
    EXPECT_EQ(x.dtype(), d);
    std::vector<double> v = values(x);
    for (int bit = 0; bit < width; ++bit) {
      double ones = 0;
      for (double e : v) ones += static_cast<double>((static_cast<uint64_t>(e) >> bit) & 1);
      EXPECT_NEAR(ones / kN, 0.5, 5 * 0.5 / std::sqrt(double(kN))) << "bit " << bit;
    }
  }
}

TEST(RandomSamplers, Bernoulli) {
  for (double p : {0.5, 0.3, 0.9}) {
    Array x = random::bernoulli(key(12), static_cast<float>(p), Shape{kN});
    EXPECT_EQ(x.dtype(), DType::bool_);
    std::vector<double> v = values(x);
    expect_moments(v, p, p * (1 - p));
  }
  // Per-element probabilities broadcast against shape.
  Array p = Array::from_vector<double>({0.1, 0.8}, {2});
  std::vector<double> v = values(random::bernoulli(key(13), p, Shape{kN / 2, 2}));
  double a = 0, b = 0;
  for (size_t i = 0; i < v.size(); i += 2) a += v[i], b += v[i + 1];
  EXPECT_NEAR(a / (kN / 2), 0.1, 5 * std::sqrt(0.09 / (kN / 2)));
  EXPECT_NEAR(b / (kN / 2), 0.8, 5 * std::sqrt(0.16 / (kN / 2)));
}

TEST(RandomSamplers, Randint) {
  Array x = random::randint(key(14), {kN}, 0, 10);
  EXPECT_EQ(x.dtype(), DType::int32);
  expect_frequencies(values(x), std::vector<double>(10, 0.1));
  // Negative bounds, per-element bounds broadcast against shape.
  std::vector<double> v = values(random::randint(key(15), {kN}, -7, -2));
  for (double& e : v) e += 7;
  expect_frequencies(v, std::vector<double>(5, 0.2));
  Array lo = Array::from_vector<int32_t>({0, 100}, {2});
  Array y = random::randint(key(16), {3, 2}, lo, Array::from_vector<int32_t>({3, 103}, {2}));
  for (int64_t i = 0; i < 3; ++i) {
    EXPECT_LT(y[i][0].item<int64_t>(), 3);
    EXPECT_GE(y[i][1].item<int64_t>(), 100);
  }
  // uint8 with maxval 256 (out of the dtype's range): all 256 values, uniformly.
  Array u8 = random::randint(key(17), {kN}, 0, 256, DType::uint8);
  EXPECT_EQ(u8.dtype(), DType::uint8);
  expect_frequencies(values(u8), std::vector<double>(256, 1.0 / 256));
  // maxval <= minval gives minval; the full int32 range works.
  std::vector<double> empty = values(random::randint(key(18), {100}, 5, 5));
  EXPECT_TRUE(std::all_of(empty.begin(), empty.end(), [](double e) { return e == 5; }));
  std::vector<double> wide = values(random::randint(
      key(19), {kN}, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()));
  expect_moments(wide, -0.5, std::pow(2.0, 64) / 12);
}

// randint's derivation bit for bit: two subkeys, 32 random bits each, and the multiplier
// 2^32 % span combining them in wrapping uint32 arithmetic (as JAX's _randint).
TEST(RandomSamplers, RandintDerivation) {
  Array k = key(20);
  // The last span, 3 * 2^62, is above 2^63: it needs the unsigned 64-bit remainder, and JAX's
  // wrapping products make it visibly biased (a faithful property of the scheme).
  const std::vector<std::pair<int64_t, uint64_t>> cases = {
      {-1000, 10}, {-1000, 70000}, {-1000, 3000000001}, {-(int64_t{3} << 61), uint64_t{3} << 62}};
  for (auto [lo, span] : cases) {
    const DType d = span > INT32_MAX ? DType::int64 : DType::int32;
    const auto hi_val = static_cast<int64_t>(static_cast<uint64_t>(lo) + span);
    Array x = random::randint(k, {1000}, lo, hi_val, d);
    Array keys = random::split(k);
    std::vector<int64_t> got = x.to_vector<int64_t>();
    if (d == DType::int32) {
      std::vector<uint32_t> hi = random::bits(keys[0], {1000}).to_vector<uint32_t>();
      std::vector<uint32_t> lw = random::bits(keys[1], {1000}).to_vector<uint32_t>();
      const auto s = static_cast<uint32_t>(span);
      uint32_t mult = (uint32_t{1} << 16) % s;
      mult = static_cast<uint32_t>(mult * mult) % s;
      for (size_t i = 0; i < got.size(); ++i) {
        uint32_t off = static_cast<uint32_t>((hi[i] % s) * mult + lw[i] % s) % s;
        ASSERT_EQ(got[i], lo + int64_t{off}) << "span " << span << " at " << i;
      }
    } else {
      // 64-bit words: (high word << 32 | low word) of each counter, in wrapping uint64.
      auto words64 = [](const Array& key) {
        auto [a, b] = lax::threefry2x32(key[0], key[1], jnp::zeros({1000}, DType::uint32),
                                        lax::iota(DType::uint32, 1000));
        std::vector<uint32_t> h = a.to_vector<uint32_t>(), l = b.to_vector<uint32_t>();
        std::vector<uint64_t> w(h.size());
        for (size_t i = 0; i < w.size(); ++i) w[i] = uint64_t{h[i]} << 32 | l[i];
        return w;
      };
      std::vector<uint64_t> hi = words64(keys[0]), lw = words64(keys[1]);
      const auto s = static_cast<uint64_t>(span);
      uint64_t mult = (uint64_t{1} << 32) % s;
      mult = mult * mult % s;
      for (size_t i = 0; i < got.size(); ++i) {
        uint64_t off = ((hi[i] % s) * mult + lw[i] % s) % s;
        ASSERT_EQ(got[i], static_cast<int64_t>(static_cast<uint64_t>(lo) + off))
            << "span " << span << " at " << i;
      }
    }
  }
}

TEST(RandomSamplers, Choice) {
  // Uniform with replacement from arange(5) and from an array.
  expect_frequencies(values(random::choice(key(22), 5, {kN})), std::vector<double>(5, 0.2));
  Array a = Array::from_vector<float>({10, 11, 12, 13}, {4});
  std::vector<double> picked = values(random::choice(key(23), a, {kN}));
  for (double& e : picked) e -= 10;
  expect_frequencies(picked, std::vector<double>(4, 0.25));
  // Weighted with replacement.
  std::vector<double> p = {0.1, 0.2, 0.3, 0.4};
  Array pa = Array::from_vector<float>({0.1f, 0.2f, 0.3f, 0.4f}, {4});
  expect_frequencies(values(random::choice(key(24), 4, {kN}, true, pa)), p);
  // Without replacement: distinct elements of the population.
  std::vector<double> draw = values(random::choice(key(25), 50, {50}, false));
  std::sort(draw.begin(), draw.end());
  for (int i = 0; i < 50; ++i) EXPECT_EQ(draw[static_cast<size_t>(i)], i);
  std::vector<double> weighted = values(random::choice(key(26), 6, {4}, false, jnp::ones({6})));
  std::sort(weighted.begin(), weighted.end());
  EXPECT_EQ(std::unique(weighted.begin(), weighted.end()), weighted.end());
  // Weighted without replacement: the first draw follows p (Gumbel top-k), over many keys.
  Array keys = random::split(key(27), 20000);
  auto first = [&](const Array& k) { return random::choice(k, 4, {2}, false, pa)[0]; };
  expect_frequencies(values(vmap(first)(keys)), p);
  // Along an axis of a 2-D array: shape a.shape[:axis] + shape + a.shape[axis+1:].
  Array m = jnp::reshape(jnp::arange(12), {3, 4});
  Array c = random::choice(key(28), m, {2, 5}, true, std::nullopt, 1);
  EXPECT_EQ(c.shape(), Shape({3, 2, 5}));
  std::vector<double> cv = values(c);
  for (size_t i = 0; i < cv.size(); ++i)
    EXPECT_EQ(static_cast<int64_t>(cv[i]) / 4, int64_t(i / 10));
  EXPECT_EQ(random::choice(key(29), m, {2}, false).shape(), Shape({2, 4}));
  EXPECT_EQ(random::choice(key(29), 3, {0}).shape(), Shape({0}));
}

TEST(RandomSamplers, Categorical) {
  std::vector<double> p = {0.1, 0.2, 0.3, 0.4};
  Array logits = jnp::log(Array::from_vector<float>({0.1f, 0.2f, 0.3f, 0.4f}, {4}));
  Array x = random::categorical(key(30), logits, -1, Shape{kN});
  EXPECT_EQ(x.dtype(), DType::int32);
  expect_frequencies(values(x), p);
  // A batch of distributions along axis 0, sampled with a leading sample dimension.
  Array two = jnp::log(Array::from_vector<double>({0.5, 0.1, 0.5, 0.9}, {2, 2}));
  Array y = random::categorical(key(31), two, 0, Shape{kN / 2, 2});
  EXPECT_EQ(y.shape(), Shape({kN / 2, 2}));
  std::vector<double> v = values(y), col0, col1;
  for (size_t i = 0; i < v.size(); ++i) (i % 2 ? col1 : col0).push_back(v[i]);
  expect_frequencies(col0, {0.5, 0.5});
  expect_frequencies(col1, {0.1, 0.9});
  EXPECT_EQ(random::categorical(key(32), two).shape(), Shape({2}));
}

TEST(RandomSamplers, Permutation) {
  // Small (one sort round) and large (two rounds) ranges are permutations.
  for (int64_t n : {int64_t{1000}, int64_t{5000}}) {
    Array x = random::permutation(key(33), n);
    EXPECT_EQ(x.dtype(), DType::int32);
    std::vector<double> v = values(x);
    std::sort(v.begin(), v.end());
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(v[static_cast<size_t>(i)], i);
  }
  // Each position is uniform over the values, across many keys.
  Array keys = random::split(key(34), 20000);
  Array perms = vmap([](const Array& k) { return random::permutation(k, 5); })(keys);
  for (int64_t pos = 0; pos < 5; ++pos) {
    expect_frequencies(values(lax::slice(perms, {0, pos}, {20000, pos + 1})),
                       std::vector<double>(5, 0.2));
  }
  // 2-D: the same column order for every row, or independent rows.
  Array m = jnp::reshape(jnp::arange(20), {4, 5});
  Array cols = random::permutation(key(35), m, 1);
  std::vector<double> c = values(cols);
  for (size_t r = 1; r < 4; ++r) {
    for (size_t j = 0; j < 5; ++j) EXPECT_EQ(c[r * 5 + j], c[j] + 5 * static_cast<double>(r));
  }
  Array rows = random::permutation(key(36), m, 1, true);
  std::vector<double> rv = values(rows);
  bool all_same_order = true;
  for (size_t r = 0; r < 4; ++r) {
    std::vector<double> row(rv.begin() + static_cast<ptrdiff_t>(r * 5),
                            rv.begin() + static_cast<ptrdiff_t>(r * 5 + 5));
    for (size_t j = 0; j < 5; ++j) all_same_order &= row[j] - rv[j] == 5.0 * double(r);
    std::sort(row.begin(), row.end());
    for (size_t j = 0; j < 5; ++j) EXPECT_EQ(row[j], 5.0 * double(r) + double(j));
  }
  EXPECT_FALSE(all_same_order);
  Array axis0 = random::permutation(key(37), m);
  EXPECT_EQ(axis0.shape(), Shape({4, 5}));
}

// ---- derivations: the formulas JAX applies to uniform, bit for bit --------------------------

TEST(RandomSamplers, DerivedFromUniform) {
  Array k = key(38);
  for (DType d : {DType::float32, DType::float64}) {
    auto c = [&](double v) { return lax::convert_element_type(Array(v), d); };
    double tiny = d == DType::float32 ? std::numeric_limits<float>::min()
                                      : std::numeric_limits<double>::min();
    double eps = d == DType::float32 ? std::numeric_limits<float>::epsilon()
                                     : std::numeric_limits<double>::epsilon();
    double epsneg = eps / 2;
    Array u = random::uniform(k, {1000}, d);
    EXPECT_TRUE(same(random::exponential(k, {1000}, d), lax::neg(lax::log1p(lax::neg(u)))));
    Array ug = random::uniform(k, {1000}, d, c(tiny), c(1));
    EXPECT_TRUE(same(random::gumbel(k, {1000}, d), lax::neg(lax::log(lax::neg(lax::log(ug))))));
    Array ul = random::uniform(k, {1000}, d, c(-1 + epsneg), c(1));
    EXPECT_TRUE(same(random::laplace(k, {1000}, d),
                     lax::mul(lax::sign(ul), lax::log1p(lax::neg(lax::abs(ul))))));
    Array uo = random::uniform(k, {1000}, d, c(eps), c(1));
    EXPECT_TRUE(same(random::logistic(k, {1000}, d), lax::log(lax::div(uo, lax::sub(c(1), uo)))));
  }
}

// permutation: rounds of stable sorts by 32-bit keys from successive splits (one round up to
// 1625 elements, two beyond), rebuilt here with std::stable_sort.
TEST(RandomSamplers, PermutationDerivation) {
  for (int64_t n : {int64_t{10}, int64_t{2000}}) {
    Array k = key(43);
    std::vector<int32_t> expected(static_cast<size_t>(n));
    std::iota(expected.begin(), expected.end(), 0);
    const int rounds = n > 1625 ? 2 : 1;
    for (int r = 0; r < rounds; ++r) {
      Array keys = random::split(k);
      k = keys[0];
      std::vector<uint32_t> sort_keys = random::bits(keys[1], {n}).to_vector<uint32_t>();
      std::vector<size_t> order(expected.size());
      std::iota(order.begin(), order.end(), size_t{0});
      std::stable_sort(order.begin(), order.end(),
                       [&](size_t a, size_t b) { return sort_keys[a] < sort_keys[b]; });
      std::vector<int32_t> next(expected.size());
      for (size_t i = 0; i < order.size(); ++i) next[i] = expected[order[i]];
      expected = next;
    }
    EXPECT_EQ(random::permutation(key(43), n).to_vector<int32_t>(), expected) << n;
  }
}

// choice with p: the first index whose running sum of p reaches total * (1 - uniform); without
// replacement, the smallest -gumbel - log(p). categorical: argmax of gumbel + logits.
// truncated_normal: sqrt(2) erf_inv(uniform(erf(lower / sqrt2), erf(upper / sqrt2))), clipped.
TEST(RandomSamplers, ChoiceCategoricalTruncatedDerivation) {
  Array k = key(44);
  std::vector<float> p = {0.25f, 0.f, 0.5f, 0.125f, 0.125f};
  Array pa = Array::from_vector<float>(p, {5});
  std::vector<float> u = random::uniform(k, {500}).to_vector<float>();
  std::vector<float> cuml(p.size());
  std::partial_sum(p.begin(), p.end(), cuml.begin());
  std::vector<int32_t> got = random::choice(k, 5, {500}, true, pa).to_vector<int32_t>();
  for (size_t i = 0; i < u.size(); ++i) {
    float r = cuml.back() * (1.0f - u[i]);
    auto idx = std::lower_bound(cuml.begin(), cuml.end(), r) - cuml.begin();
    ASSERT_EQ(got[i], idx) << i;
  }
  std::vector<double> g = values(random::gumbel(k, {5}));
  std::vector<int32_t> order = {0, 1, 2, 3, 4};
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    auto score = [&](int32_t i) {
      return -static_cast<float>(g[size_t(i)]) - std::log(p[size_t(i)]);
    };
    return score(a) < score(b);
  });
  EXPECT_EQ(random::choice(k, 5, {3}, false, pa).to_vector<int32_t>(),
            std::vector<int32_t>(order.begin(), order.begin() + 3));

  Array logits = Array::from_vector<float>({0.5f, -1, 2, 0, 1, 1}, {2, 3});
  Array scores = jnp::add(random::gumbel(k, {4, 2, 3}), logits);
  EXPECT_TRUE(same(random::categorical(k, logits, -1, Shape{4, 2}), jnp::argmax(scores, -1)));

  for (DType d : {DType::float32, DType::float64}) {
    Array lo = lax::convert_element_type(Array(-0.3), d);
    Array hi = lax::convert_element_type(Array(1.7), d);
    Array sqrt2 = lax::convert_element_type(Array(std::sqrt(2.0)), d);
    Array un =
        random::uniform(k, {300}, d, lax::erf(lax::div(lo, sqrt2)), lax::erf(lax::div(hi, sqrt2)));
    Array inf = lax::convert_element_type(Array(INFINITY), d);
    Array expected = jnp::clip(lax::mul(sqrt2, lax::erf_inv(un)), lax::nextafter(lo, inf),
                               lax::nextafter(hi, lax::neg(inf)));
    EXPECT_TRUE(same(random::truncated_normal(k, -0.3, 1.7, Shape{300}, d), expected));
  }
}

// The legacy (jax_threefry_partitionable=False) scheme drives the new samplers too.
TEST(RandomSamplers, LegacyScheme) {
  struct Legacy {
    Legacy() { config::set_threefry_partitionable(false); }
    ~Legacy() { config::set_threefry_partitionable(true); }
  } legacy;
  Array keys = random::split(key(45), 3);
  auto f = [](const Array& k) {
    return jnp::concatenate(
        {lax::convert_element_type(random::randint(k, {4}, 0, 7), DType::float32),
         lax::convert_element_type(random::permutation(k, 5), DType::float32),
         random::gumbel(k, {16}), random::truncated_normal(k, 0, 1, Shape{3})});
  };
  Array batched = vmap(f)(keys);
  for (int64_t i = 0; i < 3; ++i) EXPECT_TRUE(same(batched[i], f(keys[i])));
  std::vector<double> perm = values(random::permutation(key(46), 100));
  std::sort(perm.begin(), perm.end());
  for (size_t i = 0; i < perm.size(); ++i) EXPECT_EQ(perm[i], double(i));
}

// ---- vmap over keys equals a loop over keys -------------------------------------------------

// Bit for bit: every kernel's result depends only on the element's value, not on its position.
TEST(RandomSamplers, VmapOverKeysEqualsLoop) {
  Array keys = random::split(key(39), 4);
  Array logits = Array::from_vector<float>({0.1f, -1, 2, 0.5f, 0, 0}, {2, 3});
  Array pa = Array::from_vector<float>({0.2f, 0.3f, 0.5f}, {3});
  Array m = jnp::reshape(jnp::arange(12.0f), {3, 4});
  auto samplers = std::vector<std::function<Array(const Array&)>>{
      [](const Array& k) { return random::bits(k, {3}); },
      [](const Array& k) { return random::bits(k, {5}, DType::uint8); },
      [](const Array& k) {
        return random::uniform(k, {2, 3}, DType::float64);
      },
      [](const Array& k) { return random::normal(k, {4}); },
      [](const Array& k) { return random::bernoulli(k, 0.3, Shape{6}); },
      [](const Array& k) { return random::truncated_normal(k, -1.0f, 0.5f, Shape{5}); },
      [](const Array& k) {
        return random::truncated_normal(k, 0.0, 3.0, Shape{5}, DType::float64);
      },
      [](const Array& k) { return random::randint(k, {7}, -3, 9); },
      [](const Array& k) { return random::randint(k, {7}, 0, 256, DType::uint8); },
      [](const Array& k) { return random::randint(k, {7}, 0, int64_t{1} << 40, DType::int64); },
      [&](const Array& k) { return random::choice(k, 10, {6}); },
      [&](const Array& k) { return random::choice(k, m, {2}, false, std::nullopt, 1); },
      [&](const Array& k) { return random::choice(k, 3, {5}, true, pa); },
      [&](const Array& k) { return random::choice(k, 3, {2}, false, pa); },
      [&](const Array& k) { return random::categorical(k, logits); },
      [&](const Array& k) {
        return random::categorical(k, logits, 0, Shape{4, 3});
      },
      [](const Array& k) { return random::permutation(k, 9); },
      [&](const Array& k) { return random::permutation(k, m, 1, true); },
      [&](const Array& k) { return random::permutation(k, m); },
      [](const Array& k) { return random::gumbel(k, {5}); },
      [](const Array& k) { return random::gumbel(k, {3}, DType::float64); },
      [](const Array& k) { return random::exponential(k, {4}, DType::float64); },
      [](const Array& k) {
        return random::exponential(k, {2, 8});
      },
      [](const Array& k) { return random::laplace(k, {7}); },
      [](const Array& k) { return random::logistic(k, {3}); },
      [](const Array& k) { return random::logistic(k, {5}, DType::float64); },
  };
  for (size_t s = 0; s < samplers.size(); ++s) {
    Array batched = vmap(samplers[s])(keys);
    for (int64_t i = 0; i < 4; ++i) {
      EXPECT_TRUE(same(batched[i], samplers[s](keys[i]))) << "sampler " << s << " key " << i;
    }
  }
}

// ---- shapes and dtypes ----------------------------------------------------------------------

TEST(RandomSamplers, ShapesAndDtypes) {
  Array k = key(40);
  EXPECT_EQ(random::gumbel(k).shape(), Shape({}));
  EXPECT_EQ(random::gumbel(k, {2, 3}, DType::float64).dtype(), DType::float64);
  EXPECT_EQ(random::exponential(k, {2, 3}).shape(), Shape({2, 3}));
  EXPECT_EQ(random::laplace(k, {0}).shape(), Shape({0}));
  EXPECT_EQ(random::logistic(k, {1, 2}, DType::float64).dtype(), DType::float64);
  EXPECT_EQ(random::truncated_normal(k, -1.0f, 1.0f).shape(), Shape({}));
  EXPECT_EQ(random::randint(k, {2}, 0, 3, DType::uint32).dtype(), DType::uint32);
  EXPECT_EQ(random::randint(k, {2}, 0, 3, DType::int64).dtype(), DType::int64);
  EXPECT_EQ(random::choice(k, Array::from_vector<double>({1, 2}, {2}), {3}).dtype(),
            DType::float64);
  EXPECT_EQ(random::permutation(k, Array::from_vector<float>({1, 2, 3}, {3})).dtype(),
            DType::float32);
  Array logits = jnp::zeros({2, 3, 4});
  EXPECT_EQ(random::categorical(k, logits, 1).shape(), Shape({2, 4}));
  EXPECT_EQ(random::categorical(k, logits, -1, Shape{5, 2, 3}).shape(), Shape({5, 2, 3}));
}

// ---- errors, with JAX's wording -------------------------------------------------------------

TEST(RandomSamplers, Errors) {
  Array k = key(41);
  expect_error<DTypeError>([&] { random::randint(k, {2}, 0, 3, DType::float32); },
                           {"randint only accepts integer dtypes, got float32"});
  expect_error<ValueError>([&] { random::choice(k, 3, {4}, false); },
                           {"Cannot take a larger sample (size 4) than population (size 3) when "
                            "'replace=False'"});
  expect_error<ValueError>(
      [&] {
        random::choice(k, jnp::zeros({2, 3}), {2}, true, std::nullopt, 2);
      },
      {"axis 2 is out of bounds for array of dimension 2"});
  expect_error<ValueError>([&] { random::choice(k, 0, {2}); },
                           {"a must be greater than 0 unless no samples are taken"});
  expect_error<ValueError>([&] { random::choice(k, 3, {2}, true, jnp::ones({4})); },
                           {"p must be None or a 1D vector with the same size as a.shape[axis]",
                            "p has shape (4,) and a.shape[axis] is 3."});
  expect_error<ValueError>([&] { random::permutation(k, jnp::zeros({3}), 1); },
                           {"axis 1 is out of bounds for array of dimension 1"});
  expect_error<DTypeError>([&] { random::permutation(k, 2.5); },
                           {"x must be an integer or at least 1-dimensional"});
  expect_error<ValueError>(
      [&] {
        random::categorical(k, jnp::zeros({2, 3}), 2);
      },
      {"axis 2 is out of bounds for array of dimension 2"});
  expect_error<ValueError>(
      [&] {
        random::categorical(k, jnp::zeros({2, 3}), -1, Shape{1});
      },
      {"categorical parameter shapes must be broadcast-compatible with shape argument"});
  expect_error<ValueError>(
      [&] {
        random::randint(k, {2}, jnp::zeros({2, 2}, DType::int32), 5);
      },
      {"randint parameter shapes must be broadcast-compatible",
       "but got result (2, 2) for shape argument (2,)."});
  expect_error<ShapeError>([&] { random::randint(k, {2}, jnp::zeros({3}, DType::int32), 5); },
                           {"Incompatible shapes for broadcasting"});
  expect_error<ValueError>(
      [&] {
        random::truncated_normal(k, jnp::zeros({3, 2}), 1.0, Shape{2});
      },
      {"truncated_normal parameter shapes", "for shape argument (2,)."});
  for (auto f : {random::gumbel, random::exponential, random::laplace, random::logistic}) {
    expect_error<DTypeError>([&] { f(k, {2}, DType::int32); },
                             {"must be a float dtype, got int32"});
  }
  expect_error<DTypeError>([&] { random::truncated_normal(k, 0, 1, Shape{2}, DType::int32); },
                           {"dtype argument to `truncated_normal` must be a float dtype"});
  expect_error<ShapeError>([&] { random::gumbel(random::split(k, 2), {2}); },
                           {"expected a single PRNG key of shape (2,)"});
}

}  // namespace
}  // namespace jx
