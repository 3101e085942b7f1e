// Batch rules of the slicing primitives (concatenate, pad, slice, dynamic_slice,
// dynamic_update_slice) and of gather and the scatter family, against loops (check_vmap), plus
// numpy indexing built on them under vmap.
#include <jx/jx.h>

#include <string>

#include "ir/primitive.h"
#include "vmap_harness.h"

namespace jx {
namespace {
using testing::check_vmap;
using testing::fn1;
using testing::random_array;
using testing::VmapCheck;
using D = DType;
using GSM = lax::GatherScatterMode;

using testing::ArgSpec;
using testing::gen;

// A scalar start index that may be negative or past the end (both are clamped or wrapped).
ArgSpec index_arg(D dtype = D::int32, double lo = -6, double hi = 7) { return {{}, dtype, lo, hi}; }

// ---- slicing ------------------------------------------------------------------------------

TEST(VmapRulesSlicing, Concatenate) {
  auto cat = [](int64_t dim) {
    return fn1([dim](const std::vector<Array>& a) { return lax::concatenate(a, dim); });
  };
  check_vmap("concatenate dim 1 f32", cat(1),
             gen({{{2, 3}, D::float32}, {{2, 1}, D::float32}, {{2, 4}, D::float32}}));
  check_vmap("concatenate dim 0 i32", cat(0), gen({{{1, 3}, D::int32}, {{2, 3}, D::int32}}));
  check_vmap("concatenate rank 1 bool", cat(0),
             gen({{{2}, D::bool_}, {{0}, D::bool_}, {{3}, D::bool_}}));
  check_vmap("concatenate one operand", cat(1), gen({{{2, 3}, D::float64}}));
}

TEST(VmapRulesSlicing, Pad) {
  auto pad = [](std::vector<lax::PadConfig> config) {
    return fn1([config](const std::vector<Array>& a) { return lax::pad(a[0], a[1], config); });
  };
  VmapCheck opt;
  check_vmap("pad f32 lo/hi", pad({{1, 2, 0}, {0, 1, 0}}),
             gen({{{2, 3}, D::float32}, {{}, D::float32}}), opt);
  check_vmap("pad i32 interior and negative", pad({{-1, 1, 0}, {2, -1, 2}}),
             gen({{{2, 3}, D::int32}, {{}, D::int32}}), opt);
  check_vmap("pad bool rank 1", pad({{1, 1, 1}}), gen({{{3}, D::bool_}, {{}, D::bool_}}), opt);
  check_vmap("pad rank 0", pad({}), gen({{{}, D::float64}, {{}, D::float64}}), opt);
  check_vmap("pad cropping all", pad({{-2, -1, 0}}),
             gen({{{3}, D::uint8, 0, 9}, {{}, D::uint8, 0, 9}}), opt);
}

TEST(VmapRulesSlicing, Slice) {
  auto sl = [](std::vector<int64_t> start, std::vector<int64_t> limit,
               std::vector<int64_t> strides) {
    return fn1(
        [=](const std::vector<Array>& a) { return lax::slice(a[0], start, limit, strides); });
  };
  check_vmap("slice f32", sl({1, 0}, {3, 5}, {}), gen({{{4, 5}, D::float32}}));
  check_vmap("slice strided i64", sl({0, 1}, {4, 5}, {2, 3}), gen({{{4, 5}, D::int64}}));
  check_vmap("slice rank 3 bool", sl({0, 1, 0}, {2, 2, 0}, {1, 1, 1}),
             gen({{{2, 3, 2}, D::bool_}}));
}

TEST(VmapRulesSlicing, DynamicSlice) {
  auto ds = [](std::vector<int64_t> sizes) {
    return fn1([sizes](const std::vector<Array>& a) {
      return lax::dynamic_slice(a[0], std::vector<Array>(a.begin() + 1, a.end()), sizes);
    });
  };
  check_vmap("dynamic_slice f32", ds({2, 3}),
             gen({{{4, 5}, D::float32}, index_arg(), index_arg()}));
  check_vmap("dynamic_slice u8 i64 indices", ds({3, 0}),
             gen({{{4, 5}, D::uint8, 0, 9}, index_arg(D::int64), index_arg(D::int64)}));
  check_vmap("dynamic_slice rank 1 i32", ds({2}),
             gen({{{5}, D::int32}, index_arg(D::uint8, 0, 7)}));
  check_vmap("dynamic_slice rank 0", ds({}), gen({{{}, D::float32}}));
  check_vmap("dynamic_slice rank 3 bool", ds({1, 2, 2}),
             gen({{{2, 3, 2}, D::bool_}, index_arg(), index_arg(), index_arg()}));
}

TEST(VmapRulesSlicing, DynamicUpdateSlice) {
  auto dus = fn1([](const std::vector<Array>& a) {
    return lax::dynamic_update_slice(a[0], a[1], std::vector<Array>(a.begin() + 2, a.end()));
  });
  check_vmap("dynamic_update_slice f32", dus,
             gen({{{4, 5}, D::float32}, {{2, 3}, D::float32}, index_arg(), index_arg()}));
  check_vmap(
      "dynamic_update_slice i64 empty update", dus,
      gen({{{3, 4}, D::int64}, {{0, 2}, D::int64}, index_arg(D::int64), index_arg(D::int64)}));
  check_vmap("dynamic_update_slice rank 0", dus, gen({{{}, D::int32}, {{}, D::int32}}));
  check_vmap("dynamic_update_slice rank 1 bool", dus,
             gen({{{5}, D::bool_}, {{2}, D::bool_}, index_arg(D::uint8, 0, 7)}));
  check_vmap("dynamic_update_slice rank 3 u8", dus,
             gen({{{2, 3, 2}, D::uint8, 0, 9},
                  {{1, 2, 2}, D::uint8, 0, 9},
                  index_arg(),
                  index_arg(),
                  index_arg()}));
}

// ---- gather and scatter -------------------------------------------------------------------

struct GatherCase {
  const char* name;
  lax::GatherDimensionNumbers dn;
  std::vector<int64_t> slice_sizes;
  ArgSpec operand, indices;
};

TEST(VmapRulesGather, Gather) {
  std::vector<GatherCase> cases = {
      // x[idx] with idx of shape (4,): rows of a (5, 3) matrix, indices partly out of bounds.
      {"rows", {{1}, {0}, {0}}, {1, 3}, {{5, 3}, D::float32}, {{4, 1}, D::int32, -2, 8}},
      // Windows of a 2D start: offset dim last, batch dims (2, 3).
      {"2d starts", {{2}, {0}, {0, 1}}, {1, 2}, {{4, 5}, D::int32}, {{2, 3, 2}, D::int32, -1, 6}},
      // The offset dim first and the indexed dim collapsed: x[:, idx].
      {"columns", {{0}, {1}, {1}}, {4, 1}, {{4, 5}, D::uint8, 0, 9}, {{3, 1}, D::int64, -1, 6}},
      // Operand and indices batching dims already present (take_along_axis-like).
      {"batching dims",
       {{2}, {1}, {1}, {0}, {0}},
       {1, 1, 2},
       {{3, 4, 2}, D::float64},
       {{3, 2, 1}, D::int32, -1, 5}},
      // No index vector entries (start_index_map empty), an empty index vector dim.
      {"whole window", {{1, 2}, {}, {}}, {2, 3}, {{2, 3}, D::bool_}, {{2, 0}, D::int32}},
      // One index vector (no batch dims in the indices): x[i, j].
      {"element", {{}, {0, 1}, {0, 1}}, {1, 1}, {{3, 4}, D::int64}, {{2}, D::int32, -1, 5}},
      // Batching dim not first, and a scalar index batch.
      {"batching dim 1",
       {{0}, {0}, {0}, {1}, {0}},
       {1, 1, 3},
       {{4, 2, 3}, D::int32},
       {{2, 1}, D::int32, -1, 5}},
  };
  for (const GatherCase& c : cases) {
    for (GSM mode : {GSM::kClip, GSM::kFillOrDrop}) {
      for (std::optional<double> fill : {std::optional<double>(), std::optional<double>(7)}) {
        if (fill && mode != GSM::kFillOrDrop) continue;
        auto f = fn1([c, mode, fill](const std::vector<Array>& a) {
          return lax::gather(a[0], a[1], c.dn, c.slice_sizes, mode, fill);
        });
        std::string name = std::string("gather ") + c.name +
                           (mode == GSM::kClip ? " clip" : " fill") + (fill ? " fill_value" : "");
        check_vmap(name, f, gen({c.operand, c.indices}));
      }
    }
  }
}

struct ScatterCase {
  const char* name;
  lax::ScatterDimensionNumbers dn;
  ArgSpec operand, indices, updates;
};

TEST(VmapRulesGather, Scatter) {
  using ScatterFn =
      Array (*)(const Array&, const Array&, const Array&, const lax::ScatterDimensionNumbers&, GSM);
  struct Variant {
    const char* name;
    ScatterFn fn;
  };
  std::vector<Variant> variants = {{"scatter", lax::scatter},
                                   {"scatter_add", lax::scatter_add},
                                   {"scatter_mul", lax::scatter_mul},
                                   {"scatter_min", lax::scatter_min},
                                   {"scatter_max", lax::scatter_max}};
  std::vector<ScatterCase> cases = {
      // x.at[idx].op(rows), with duplicate and out-of-bounds indices.
      {"rows",
       {{1}, {0}, {0}},
       {{5, 3}, D::float32},
       {{4, 1}, D::int32, -2, 8},
       {{4, 3}, D::float32}},
      // x.at[:, idx]: the window dim first in the updates.
      {"columns",
       {{0}, {1}, {1}},
       {{4, 5}, D::int32, -9, 9},
       {{2, 1}, D::int64, -1, 6},
       {{4, 2}, D::int32, -9, 9}},
      // 2D starts with a partial window and a 2D batch of indices.
      {"2d starts",
       {{2}, {0}, {0, 1}},
       {{4, 5}, D::uint8, 0, 9},
       {{2, 3, 2}, D::int32, -1, 6},
       {{2, 3, 2}, D::uint8, 0, 9}},
      // Batching dims already present (put_along_axis-like).
      {"batching dims",
       {{}, {1}, {1}, {0}, {0}},
       {{3, 4}, D::float64},
       {{3, 2, 1}, D::int32, -1, 5},
       {{3, 2}, D::float64}},
      // One index vector: x.at[i, j].op(u).
      {"element",
       {{}, {0, 1}, {0, 1}},
       {{3, 4}, D::int32, -9, 9},
       {{2}, D::int32, -1, 5},
       {{}, D::int32, -9, 9}},
      // A batching dim that is not first, and a bool operand.
      {"batching dim 1",
       {{1}, {0}, {0}, {1}, {0}},
       {{4, 2, 3}, D::bool_},
       {{2, 1}, D::int32, -1, 5},
       {{2, 3}, D::bool_}},
  };
  for (const Variant& v : variants) {
    for (const ScatterCase& c : cases) {
      for (GSM mode : {GSM::kClip, GSM::kFillOrDrop}) {
        auto f = fn1([v, c, mode](const std::vector<Array>& a) {
          return v.fn(a[0], a[1], a[2], c.dn, mode);
        });
        std::string name =
            std::string(v.name) + " " + c.name + (mode == GSM::kClip ? " clip" : " drop");
        check_vmap(name, f, gen({c.operand, c.indices, c.updates}));
      }
    }
  }
}

// ---- numpy indexing under vmap -------------------------------------------------------------

TEST(VmapRulesIndexing, IntegerIndex) {
  auto check = [](const std::string& name, const testing::Fn& f, const testing::Gen& g) {
    check_vmap(name, f, g);
  };
  check("x[i]", fn1([](const std::vector<Array>& a) { return a[0][Index(a[1])]; }),
        gen({{{5, 3}, D::float32}, {{}, D::int32, -5, 5}}));
  check("x[:, idx]", fn1([](const std::vector<Array>& a) {
          return a[0][{slice(none, none), Index(a[1])}];
        }),
        gen({{{2, 4}, D::int32}, {{3}, D::int32, -4, 4}}));
  check("x[i, 1:3]", fn1([](const std::vector<Array>& a) {
          return a[0][{Index(a[1]), slice(1, 3)}];
        }),
        gen({{{4, 5}, D::uint8, 0, 9}, {{}, D::int64, -4, 4}}));
}

TEST(VmapRulesIndexing, AtSetAdd) {
  auto check = [](const std::string& name, const testing::Fn& f, const testing::Gen& g) {
    check_vmap(name, f, g);
  };
  auto g = gen({{{5, 3}, D::float32}, {{}, D::int32, -5, 5}, {{3}, D::float32}});
  check("x.at(i).set",
        fn1([](const std::vector<Array>& a) { return a[0].at(Index(a[1])).set(a[2]); }), g);
  check("x.at(i).add",
        fn1([](const std::vector<Array>& a) { return a[0].at(Index(a[1])).add(a[2]); }), g);
  check("x.at(idx).add duplicates",
        fn1([](const std::vector<Array>& a) { return a[0].at(Index(a[1])).add(a[2]); }),
        gen({{{6}, D::int32}, {{4}, D::int32, -6, 6}, {{4}, D::int32}}));
  check("x.at(idx).max",
        fn1([](const std::vector<Array>& a) { return a[0].at(Index(a[1])).max(a[2]); }),
        gen({{{6}, D::int32}, {{4}, D::int32, -6, 6}, {{4}, D::int32}}));
  // A weakly typed operand updated with a strongly typed value at a mapped start: the result is
  // strong, as dynamic_update_slice's.
  check("dynamic_update_slice of a weak operand", fn1([](const std::vector<Array>& a) {
          Array weak = lax::convert_element_type(a[0], a[0].dtype(), true);
          return lax::dynamic_update_slice(weak, a[1], {a[2]});
        }),
        gen({{{5}, D::float32}, {{2}, D::float32}, index_arg()}));
}

TEST(VmapRulesIndexing, TakeAndTakeAlongAxis) {
  auto check = [](const std::string& name, const testing::Fn& f, const testing::Gen& g) {
    check_vmap(name, f, g);
  };
  auto g = gen({{{3, 4}, D::float32}, {{2}, D::int32, -5, 6}});
  check("take axis 1", fn1([](const std::vector<Array>& a) { return numpy::take(a[0], a[1], 1); }),
        g);
  check("take clip",
        fn1([](const std::vector<Array>& a) { return numpy::take(a[0], a[1], 0, "clip"); }), g);
  check("take flat", fn1([](const std::vector<Array>& a) { return numpy::take(a[0], a[1]); }), g);
  check("take_along_axis",
        fn1([](const std::vector<Array>& a) { return numpy::take_along_axis(a[0], a[1], 1); }),
        gen({{{3, 4}, D::int32}, {{3, 2}, D::int32, 0, 4}}));
}

TEST(VmapRulesIndexing, ConcatenateStackPadSplit) {
  auto check = [](const std::string& name, const testing::Fn& f, const testing::Gen& g) {
    check_vmap(name, f, g);
  };
  check("jnp.concatenate", fn1([](const std::vector<Array>& a) {
          return numpy::concatenate({a[0], a[1]}, 1);
        }),
        gen({{{2, 3}, D::float32}, {{2, 2}, D::float32}}));
  check("jnp.stack", fn1([](const std::vector<Array>& a) {
          return numpy::stack({a[0], a[1]}, 1);
        }),
        gen({{{2, 3}, D::int32}, {{2, 3}, D::int32}}));
  check("pad by a constant", fn1([](const std::vector<Array>& a) {
          return lax::pad(a[0], lax::convert_element_type(Array(0), a[0].dtype()), {{1, 2, 0}});
        }),
        gen({{{3}, D::float32}}));
  check(
      "jnp.split",
      [](const std::vector<Array>& a) {
        return numpy::split(a[0], std::vector<int64_t>{1, 3}, 1);
      },
      gen({{{2, 4}, D::float32}}));
}

}  // namespace
}  // namespace jx
