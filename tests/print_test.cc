// Printing: numpy's str() and JAX's repr, character for character. Fixed expectations come from
// numpy 1.24 / JAX (noted per test); the oracle test compares thousands of random arrays against
// numpy itself (tests/print_oracle.py run with /usr/bin/python3, or $JX_PYTHON).
#include <gtest/gtest.h>

#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/array_impl.h"
#include "jx/array.h"
#include "jx/print.h"
#include "test_util.h"

namespace jx {
namespace {

using testing::arr;

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// The seed tutorial's printouts (numpy 1.24 output for the same float32 values).
TEST(PrintTest, TutorialSigmoidTable) {
  std::vector<float> xs = {0.75f, 4.5f, -0.5f};
  std::vector<float> v;
  for (float x : xs) {
    v.push_back(x);
    v.push_back(sigmoid(x));
  }
  Array a = arr<float>(v, {3, 2});
  EXPECT_EQ(a.str(),
            "[[ 0.75        0.6791787 ]\n"
            " [ 4.5         0.9890131 ]\n"
            " [-0.5         0.37754068]]");
}

TEST(PrintTest, TutorialSmallVector) { EXPECT_EQ(arr<float>({0.04f, 0.16f}).str(), "[0.04 0.16]"); }

TEST(PrintTest, TutorialSqrtTable) {
  Array a = arr<float>({0.0f, std::sqrt(2.0f), 1.0f, 1.0f, 1.0f, 1.0f}, {3, 2});
  EXPECT_EQ(a.str(),
            "[[0.        1.4142135]\n"
            " [1.        1.       ]\n"
            " [1.        1.       ]]");
}

TEST(PrintTest, StreamOperatorPrintsStr) {
  Array a = arr<int32_t>({1, -20, 300}, {3});
  std::ostringstream os;
  os << a;
  EXPECT_EQ(os.str(), a.str());
  EXPECT_EQ(os.str(), "[  1 -20 300]");  // numpy: str(np.array([1, -20, 300], np.int32))
}

// str() of a 0-d array is numpy's str of the scalar: "1.0" (not the array element form "1.").
TEST(PrintTest, ZeroDimensionalStr) {
  EXPECT_EQ(arr<float>({0.5f}, {}).str(), "0.5");
  EXPECT_EQ(arr<float>({1.0f}, {}).str(), "1.0");
  EXPECT_EQ(arr<double>({-0.0}, {}).str(), "-0.0");
  EXPECT_EQ(arr<float>({1e16f}, {}).str(), "1e+16");
  EXPECT_EQ(arr<float>({1.5e-5f}, {}).str(), "1.5e-05");
  EXPECT_EQ(arr<float>({1e-4f}, {}).str(), "1e-04");  // float32(1e-4) < 1e-4
  EXPECT_EQ(arr<double>({1e-4}, {}).str(), "0.0001");
  EXPECT_EQ(arr<double>({123456789012345678.0}, {}).str(), "1.2345678901234568e+17");
  EXPECT_EQ(arr<float>({std::numeric_limits<float>::quiet_NaN()}, {}).str(), "nan");
  EXPECT_EQ(arr<double>({-std::numeric_limits<double>::infinity()}, {}).str(), "-inf");
  EXPECT_EQ(arr<int32_t>({3}, {}).str(), "3");
  EXPECT_EQ(arr<uint8_t>({255}, {}).str(), "255");
  EXPECT_EQ(arr<int64_t>({-9000000000}, {}).str(), "-9000000000");
  EXPECT_EQ(arr<bool>({true}, {}).str(), "True");
  EXPECT_EQ(Array(0.5).str(), "0.5");
}

TEST(PrintTest, FloatNotation) {
  // Expected strings: numpy 1.24 str() of the same float64 arrays.
  EXPECT_EQ(arr<double>({1e10, 1.5}).str(), "[1.0e+10 1.5e+00]");
  EXPECT_EQ(arr<double>({1e100, 1e5}).str(), "[1.e+100 1.e+005]");
  EXPECT_EQ(arr<double>({1.5, NAN, -INFINITY}).str(), "[ 1.5  nan -inf]");
  EXPECT_EQ(arr<double>({INFINITY, -INFINITY, NAN}).str(), "[ inf -inf  nan]");
  EXPECT_EQ(arr<double>({-0.0, 0.0}).str(), "[-0.  0.]");
  EXPECT_EQ(arr<double>({0.001953125, 0.5}).str(), "[0.00195312 0.5       ]");
  EXPECT_EQ(arr<float>({1.1f, 1.2345678e-5f}).str(), "[1.1000000e+00 1.2345678e-05]");
  EXPECT_EQ(arr<float>({99999992.0f, 1.0f}).str(), "[9.999999e+07 1.000000e+00]");
}

// Powers of two have a closer neighbour below, so the shortest digits can sit above the nearest
// ones (float32 2**-96 is "1.2621775e-29" though the exact value rounds to ...774); digits numpy
// forces past the shortest ones come from the exact value, rounded towards the neighbour that
// still reads back (2**-645 at 16 digits: ...260, not the nearer ...259).
TEST(PrintTest, PowersOfTwo) {
  // numpy: str(np.array([2.0**-96, 1.2345678e-29], np.float32)) etc.
  EXPECT_EQ(arr<float>({std::ldexp(1.0f, -96), 1.2345678e-29f}).str(),
            "[1.2621775e-29 1.2345678e-29]");
  EXPECT_EQ(arr<float>({std::ldexp(1.0f, 87), 1.2345678e26f}).str(),
            "[1.5474251e+26 1.2345678e+26]");
  ScopedPrintOptions p({.precision = 15});
  // numpy: with np.printoptions(precision=15): str(np.array([2.0**-645, 1.234567890123456e-307]))
  EXPECT_EQ(arr<double>({std::ldexp(1.0, -645), 1.234567890123456e-307}).str(),
            "[6.849404215651260e-195 1.234567890123456e-307]");
}

// Positional array elements get every integer digit from the exact value (numpy passes
// min_digits=0), unlike the scalar str.
TEST(PrintTest, LargePositionalIntegers) {
  // numpy: with np.printoptions(suppress=True): str(np.array([-0.0, -95015768.0], np.float32));
  // str(np.float32(95015768.0)) is '95015770.0'.
  ScopedPrintOptions q({.suppress = true});
  EXPECT_EQ(arr<float>({-0.0f, -95015768.0f}).str(), "[       -0. -95015768.]");
  EXPECT_EQ(arr<float>({95015768.0f}, {}).str(), "95015770.0");
}

TEST(PrintTest, BoolAndIntPadding) {
  // numpy: str(np.array([True, False])), str(np.array([[1, 2], [30, -4]], np.int64)).
  EXPECT_EQ(arr<bool>({true, false}).str(), "[ True False]");
  EXPECT_EQ(arr<int64_t>({1, 2, 30, -4}, {2, 2}).str(), "[[ 1  2]\n [30 -4]]");
  EXPECT_EQ(arr<uint32_t>({}, {0, 3}).str(), "[]");
}

TEST(PrintTest, Summarised) {
  std::vector<int32_t> v(1001);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int32_t>(i);
  // numpy: str(np.arange(1001, dtype=np.int32))
  EXPECT_EQ(arr<int32_t>(v).str(), "[   0    1    2 ...  998  999 1000]");
}

TEST(PrintTest, JaxRepr) {
  // JAX: repr(jnp.array([1., 2.])), repr(jnp.int32(3)), repr(jnp.array(0.5) * 1.0 weak), etc.
  EXPECT_EQ(arr<float>({1.0f, 2.0f}).repr(), "Array([1., 2.], dtype=float32)");
  EXPECT_EQ(arr<int32_t>({3}, {}).repr(), "Array(3, dtype=int32)");
  EXPECT_EQ(arr<float>({1.0f}, {}).repr(), "Array(1., dtype=float32)");
  EXPECT_EQ(Array(0.5).repr(), "Array(0.5, dtype=float32, weak_type=True)");
  EXPECT_EQ(arr<bool>({true, false}).repr(), "Array([ True, False], dtype=bool)");
  EXPECT_EQ(arr<float>({}, {0, 3}).repr(), "Array([], shape=(0, 3), dtype=float32)");
  EXPECT_EQ(arr<int32_t>({}, {0}).repr(), "Array([], shape=(0,), dtype=int32)");
  EXPECT_EQ(arr<float>({1, 2, 3, 4}, {2, 2}).repr(),
            "Array([[1., 2.],\n       [3., 4.]], dtype=float32)");
  // JAX: repr(jnp.arange(30.)) wraps with the continuation aligned under "Array([".
  std::vector<float> r(30);
  for (int i = 0; i < 30; ++i) r[i] = static_cast<float>(i);
  EXPECT_EQ(arr<float>(r).repr(),
            "Array([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12.,\n"
            "       13., 14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25.,\n"
            "       26., 27., 28., 29.], dtype=float32)");
}

TEST(PrintTest, Array2String) {
  // numpy: np.array2string(np.array([1., 2.], np.float32), separator=', '), and of a 0-d array.
  EXPECT_EQ(array2string(arr<float>({1.0f, 2.0f}), ", "), "[1., 2.]");
  EXPECT_EQ(array2string(arr<float>({1.0f}, {})), "1.");
  EXPECT_EQ(array2string(arr<bool>({true}, {})), "True");
  // numpy: np.array2string(np.arange(12), prefix='x = ', max_line_width=20) with linewidth 20.
  ScopedPrintOptions p({.linewidth = 20});
  std::vector<int32_t> v(12);
  for (int i = 0; i < 12; ++i) v[i] = i;
  EXPECT_EQ(array2string(arr<int32_t>(v), " ", "x = "),
            "[ 0  1  2  3  4\n      5  6  7  8  9\n     10 11]");
}

class FakeTracer : public Tracer {
 public:
  FakeTracer() : Tracer(0) {}
};

Array make_tracer(ShapedArray aval) {
  auto impl = std::make_shared<ArrayImpl>();
  impl->aval = std::move(aval);
  impl->tracer = std::make_shared<FakeTracer>();
  return Array(std::move(impl));
}

TEST(PrintTest, TracerPrintsAval) {
  Array t = make_tracer(ShapedArray{Shape{3}, DType::float32, false});
  EXPECT_EQ(t.str(), "Traced<ShapedArray(float32[3])>");
  EXPECT_EQ(t.repr(), "Traced<ShapedArray(float32[3])>");
  std::ostringstream os;
  os << t;
  EXPECT_EQ(os.str(), "Traced<ShapedArray(float32[3])>");
  Array w = make_tracer(ShapedArray{Shape{}, DType::int32, true});
  EXPECT_EQ(w.str(), "Traced<ShapedArray(int32[], weak_type=True)>");
  Array m = make_tracer(ShapedArray{Shape{2, 3}, DType::bool_, false});
  EXPECT_EQ(m.str(), "Traced<ShapedArray(bool[2,3])>");
}

TEST(PrintTest, NullArrayThrows) {
  testing::expect_error<ValueError>([] { (void)Array().str(); }, {"null jx::Array"});
}

TEST(PrintTest, PrintOptions) {
  PrintOptions defaults = get_printoptions();
  EXPECT_EQ(defaults, PrintOptions{});
  EXPECT_EQ(defaults.precision, 8);
  EXPECT_EQ(defaults.threshold, 1000);
  EXPECT_EQ(defaults.edgeitems, 3);
  EXPECT_EQ(defaults.linewidth, 75);
  EXPECT_FALSE(defaults.suppress);
  Array a = arr<double>({3.14159265358979, 1e-9});
  {
    ScopedPrintOptions p({.precision = 3, .suppress = true});
    EXPECT_EQ(get_printoptions().precision, 3);
    // numpy: with np.printoptions(precision=3, suppress=True): str(np.array([pi, 1e-9]))
    EXPECT_EQ(a.str(), "[3.142 0.   ]");
  }
  EXPECT_EQ(get_printoptions(), defaults);
  EXPECT_EQ(a.str(), "[3.14159265e+00 1.00000000e-09]");
  {
    ScopedPrintOptions p({.threshold = 3, .edgeitems = 1, .linewidth = 12});
    // numpy: np.printoptions(threshold=3, edgeitems=1, linewidth=12): str(np.arange(5))
    EXPECT_EQ(arr<int32_t>({0, 1, 2, 3, 4}).str(), "[0 ... 4]");
    EXPECT_EQ(arr<int32_t>({10, 11, 12}).str(), "[10 11 12]");
    EXPECT_EQ(arr<int32_t>({100, 110, 120}).str(), "[100 110\n 120]");
  }
  testing::expect_error<ValueError>([] { set_printoptions({.precision = -1}); },
                                    {"set_printoptions", "precision", "-1"});
  testing::expect_error<ValueError>([] { set_printoptions({.edgeitems = -2}); },
                                    {"set_printoptions", "edgeitems", "-2"});
  EXPECT_EQ(get_printoptions(), defaults);
}

TEST(PrintTest, OptionsAreSharedAcrossThreads) {
  std::string seen;
  {
    ScopedPrintOptions p({.precision = 2});
    std::thread t([&] { seen = arr<double>({1.23456}).str(); });
    t.join();
  }
  EXPECT_EQ(seen, "[1.23]");
}

// ---------------------------------------------------------------------------------------------
// Oracle: random arrays printed by jx and by numpy.

struct Case {
  Array array;
  PrintOptions opts;
};

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  Case next() {
    Case c;
    if (uniform(0, 1) < 0.5) {
      c.opts.precision = static_cast<int>(pick(18));
      const int64_t thresholds[] = {1000, 0, 5, 20, 100, 100000};
      c.opts.threshold = thresholds[pick(6)];
      c.opts.edgeitems = static_cast<int>(pick(5));
      const int widths[] = {75, 1, 10, 20, 40, 100, 150};
      c.opts.linewidth = widths[pick(7)];
      c.opts.suppress = pick(2) == 1;
    }
    DType dtype = static_cast<DType>(pick(kNumDTypes));
    Shape shape = random_shape();
    size_t n = static_cast<size_t>(shape.numel());
    bool weak = pick(5) == 0;
    Array a = make_array(shape, dtype, weak);
    dispatch_dtype(dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* out = mutable_data<T>(a);
      int mode = static_cast<int>(pick(11));
      for (size_t i = 0; i < n; ++i) out[i] = value<T>(mode);
    });
    c.array = a;
    return c;
  }

 private:
  double uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng_);
  }
  uint64_t pick(uint64_t n) { return rng_() % n; }

  Shape random_shape() {
    uint64_t kind = pick(20);
    if (kind == 0) return Shape{};
    if (kind == 1) {  // large: summarised under the default threshold
      const Shape big[] = {Shape{1001},       Shape{2500},   Shape{40, 30}, Shape{12, 10, 10},
                           Shape{5, 6, 7, 8}, Shape{3, 400}, Shape{1100, 1}};
      return big[pick(7)];
    }
    if (kind == 2) {  // long rows that wrap
      return pick(2)
                 ? Shape{static_cast<int64_t>(10 + pick(60))}
                 : Shape{static_cast<int64_t>(1 + pick(3)), static_cast<int64_t>(10 + pick(40))};
    }
    if (kind == 3) {  // empty
      Shape s;
      int nd = 1 + static_cast<int>(pick(3));
      for (int i = 0; i < nd; ++i) s.push_back(static_cast<int64_t>(pick(3)));
      s[pick(nd)] = 0;
      return s;
    }
    Shape s;
    int nd = 1 + static_cast<int>(pick(4));
    for (int i = 0; i < nd; ++i) s.push_back(static_cast<int64_t>(1 + pick(5)));
    return s;
  }

  template <class T>
  T value(int mode) {
    if constexpr (std::is_same_v<T, bool>) {
      return pick(2) == 1;
    } else if constexpr (std::is_integral_v<T>) {
      switch (mode % 4) {
        case 0:
          return static_cast<T>(rng_());  // full range
        case 1:
          return static_cast<T>(static_cast<int64_t>(pick(101)) - 50);
        case 2:
          return static_cast<T>(pick(10));
        default:
          return static_cast<T>(static_cast<int64_t>(rng_() >> pick(64)));
      }
    } else {
      return float_value<T>(mode);
    }
  }

  template <class T>
  T float_value(int mode) {
    constexpr T inf = std::numeric_limits<T>::infinity();
    constexpr T nan = std::numeric_limits<T>::quiet_NaN();
    switch (mode) {
      case 0:
        return static_cast<T>(std::normal_distribution<double>(0, 1)(rng_) *
                              std::pow(10.0, uniform(-3, 3)));
      case 1:
        return static_cast<T>(static_cast<int64_t>(pick(21)) - 10);
      case 2:
        return static_cast<T>(uniform(0, 1));
      case 3: {  // magnitudes that force scientific notation
        double mag = std::pow(10.0, uniform(-40, 40));
        return static_cast<T>(pick(2) ? mag : -mag);
      }
      case 4: {  // random finite bit patterns: subnormals, huge values, long digit strings
        for (;;) {
          T v;
          if constexpr (sizeof(T) == 4) {
            uint32_t bits = static_cast<uint32_t>(rng_());
            std::memcpy(&v, &bits, 4);
          } else {
            uint64_t bits = rng_();
            std::memcpy(&v, &bits, 8);
          }
          if (std::isfinite(v)) return v;
        }
      }
      case 5: {  // special values mixed into ordinary ones
        const T specials[] = {nan, inf, -inf, T(-0.0), T(0.0), std::copysign(nan, T(-1))};
        if (pick(4) == 0) return specials[pick(6)];
        return static_cast<T>(std::normal_distribution<double>(0, 10)(rng_));
      }
      case 6: {  // only non-finite
        const T specials[] = {nan, inf, -inf};
        return specials[pick(3)];
      }
      case 7: {  // values at numpy's notation thresholds (1e8, 1e-4, a 1000x ratio)
        const double edges[] = {1e8,       99999999.0, 1e-4,  0.00010001, 1.0,  1000.0,
                                1000.0001, 999.9999,   0.001, 1e16,       1e-5, 12345678.9};
        return static_cast<T>(edges[pick(12)]);
      }
      case 8: {  // large positional values whose digits hit the precision cutoff
        return static_cast<T>(uniform(-1, 1) * std::pow(10.0, static_cast<double>(pick(8))));
      }
      case 9: {  // powers of two (unequal rounding margins) among values with long digits
        if (pick(2)) return float_value<T>(4);
        return std::ldexp(T(pick(2) ? 1 : -1), static_cast<int>(pick(sizeof(T) == 4 ? 270 : 2090)) -
                                                   (sizeof(T) == 4 ? 145 : 1070));
      }
      default: {  // short decimals, often exactly halfway at some digit
        return static_cast<T>(static_cast<double>(static_cast<int64_t>(pick(20001)) - 10000) /
                              std::pow(2.0, static_cast<double>(pick(16))));
      }
    }
  }

  std::mt19937_64 rng_;
};

template <class T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

std::string serialize(const std::vector<Case>& cases) {
  std::string out = "JXPR";
  put<uint32_t>(out, static_cast<uint32_t>(cases.size()));
  for (const Case& c : cases) {
    const Array& a = c.array;
    put<uint8_t>(out, static_cast<uint8_t>(a.dtype()));
    put<uint8_t>(out, a.weak_type() ? 1 : 0);
    put<uint8_t>(out, static_cast<uint8_t>(a.ndim()));
    for (int64_t d : a.shape()) put<int64_t>(out, d);
    put<int32_t>(out, c.opts.precision);
    put<int64_t>(out, c.opts.threshold);
    put<int32_t>(out, c.opts.edgeitems);
    put<int32_t>(out, c.opts.linewidth);
    put<uint8_t>(out, c.opts.suppress ? 1 : 0);
    put<uint64_t>(out, static_cast<uint64_t>(a.nbytes()));
    if (a.nbytes()) out.append(static_cast<const char*>(a.data()), a.nbytes());
  }
  return out;
}

std::filesystem::path oracle_script() {
  if (const char* dir = std::getenv("JX_SOURCE_DIR")) {
    return std::filesystem::path(dir) / "tests" / "print_oracle.py";
  }
  return std::filesystem::path(__FILE__).parent_path() / "print_oracle.py";
}

std::string describe(const Case& c) {
  std::ostringstream os;
  os << dtype_name(c.array.dtype()) << c.array.shape() << " precision=" << c.opts.precision
     << " threshold=" << c.opts.threshold << " edgeitems=" << c.opts.edgeitems
     << " linewidth=" << c.opts.linewidth << " suppress=" << c.opts.suppress;
  return os.str();
}

TEST(PrintOracleTest, MatchesNumpyCharacterForCharacter) {
  const char* env_python = std::getenv("JX_PYTHON");
  std::string python = env_python ? env_python : "/usr/bin/python3";
  if (!env_python && !std::filesystem::exists(python)) {
    GTEST_SKIP() << python << " not found; set JX_PYTHON to a python with numpy";
  }
  std::filesystem::path script = oracle_script();
  ASSERT_TRUE(std::filesystem::exists(script)) << script;

  // A fixed seed; JX_PRINT_SEED / JX_PRINT_CASES explore further when set.
  const char* seed = std::getenv("JX_PRINT_SEED");
  const char* ncases = std::getenv("JX_PRINT_CASES");
  Generator gen(seed ? std::stoull(seed) : 20240607);
  std::vector<Case> cases;
  for (int i = 0; i < (ncases ? std::atoi(ncases) : 4000); ++i) cases.push_back(gen.next());

  // Every power of two next to a long-digit value, at each precision that changes how many
  // digits are forced past the shortest ones (where the neighbour rule matters).
  for (int k = -149; k <= 127; ++k) {
    for (int p = 1; p <= 8; ++p) {
      PrintOptions o;
      o.precision = p;
      cases.push_back({arr<float>({std::ldexp(1.0f, k), 0.12345679f, 1e30f}), o});
    }
  }
  for (int k = -1074; k <= 1023; ++k) {
    for (int p = 15; p <= 16; ++p) {
      PrintOptions o;
      o.precision = p;
      cases.push_back({arr<double>({std::ldexp(1.0, k), 0.1234567891234567, 1e30}), o});
    }
  }

  auto tmp =
      std::filesystem::temp_directory_path() / ("jx_print_oracle_" + std::to_string(::getpid()));
  std::filesystem::create_directories(tmp);
  auto in_path = tmp / "in.bin", out_path = tmp / "out.bin";
  {
    std::ofstream f(in_path, std::ios::binary);
    std::string bytes = serialize(cases);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  std::string cmd = "'" + python + "' '" + script.string() + "' '" + in_path.string() + "' '" +
                    out_path.string() + "'";
  int rc = std::system(cmd.c_str());
  ASSERT_EQ(rc, 0) << "oracle failed: " << cmd;

  std::ifstream f(out_path, std::ios::binary);
  std::string expected((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::filesystem::remove_all(tmp);

  size_t pos = 0;
  auto next_text = [&]() {
    uint32_t len = 0;
    std::memcpy(&len, expected.data() + pos, 4);
    pos += 4;
    std::string s = expected.substr(pos, len);
    pos += len;
    return s;
  };
  int failures = 0, checked = 0;
  for (const Case& c : cases) {
    ASSERT_LE(pos + 4, expected.size()) << "oracle output truncated";
    std::string want_str = next_text();
    std::string want_repr = next_text();
    ScopedPrintOptions scope(c.opts);
    std::string got_str = c.array.str();
    std::string got_repr = c.array.repr();
    checked += 2;
    if (got_str != want_str && ++failures <= 15) {
      ADD_FAILURE() << "str mismatch for " << describe(c) << "\n--- numpy:\n"
                    << want_str << "\n--- jx:\n"
                    << got_str;
    }
    if (got_repr != want_repr && ++failures <= 15) {
      ADD_FAILURE() << "repr mismatch for " << describe(c) << "\n--- jax:\n"
                    << want_repr << "\n--- jx:\n"
                    << got_repr;
    }
  }
  EXPECT_EQ(failures, 0) << "of " << checked << " printouts";
  EXPECT_EQ(pos, expected.size());
}

}  // namespace
}  // namespace jx
