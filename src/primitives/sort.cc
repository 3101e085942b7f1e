// sort: sorts any number of same-shaped operands together along one dimension, ordered
// lexicographically by the first num_keys of them (JAX's variadic lax.sort).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>
#include <type_traits>

#include "interpreters/ad.h"
#include "interpreters/batching.h"
#include "jx/lax.h"
#include "primitives/def.h"
#include "primitives/families.h"
#include "primitives/gather_along_axis.h"
#include "primitives/rule_helpers.h"

namespace jx::primitives {
namespace {

// Maps a key to an unsigned integer of the key's own width whose natural order is JAX's sort
// order: integers and bools as usual; floats with -0.0 equal to 0.0 and every NaN (of either
// sign) equal to the others and after +inf, as JAX's comparator sees them after
// _canonicalize_float_for_sort.
template <class T>
uint64_t order_key(T x) {
  if constexpr (std::is_same_v<T, bool>) {
    return x ? 1 : 0;
  } else if constexpr (std::is_floating_point_v<T>) {
    using U = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
    if (std::isnan(x)) return std::numeric_limits<U>::max();
    if (x == 0) x = 0;  // -0.0 sorts as 0.0
    U bits;
    std::memcpy(&bits, &x, sizeof(T));
    constexpr U kSign = U(1) << (8 * sizeof(U) - 1);
    return (bits & kSign) ? U(~bits) : U(bits | kSign);
  } else {
    using U = std::make_unsigned_t<T>;
    constexpr U kFlip = std::is_signed_v<T> ? U(U(1) << (8 * sizeof(T) - 1)) : U(0);
    return static_cast<U>(static_cast<U>(x) ^ kFlip);
  }
}

// Reads one row (n elements `stride` apart from `start`) of a key operand as order keys.
using EncodeFn = void (*)(const void* data, int64_t start, int64_t stride, int64_t n,
                          uint64_t* out);
template <class T>
void encode_row(const void* data, int64_t start, int64_t stride, int64_t n, uint64_t* out) {
  const T* p = static_cast<const T*>(data) + start;
  for (int64_t j = 0; j < n; ++j) out[j] = order_key(p[j * stride]);
}
EncodeFn encoder(DType d) {
  return dispatch_dtype(
      d, [](auto tag) -> EncodeFn { return &encode_row<typename decltype(tag)::type>; });
}

// Writes one row of an operand in the sorted order: out[j] = in[perm[j]].
using PermuteFn = void (*)(const void* in, void* out, int64_t start, int64_t stride, int64_t n,
                           const int64_t* perm);
template <class E>
void permute_row(const void* in, void* out, int64_t start, int64_t stride, int64_t n,
                 const int64_t* perm) {
  const E* src = static_cast<const E*>(in) + start;
  E* dst = static_cast<E*>(out) + start;
  if (stride == 1) {
    for (int64_t j = 0; j < n; ++j) dst[j] = src[perm[j]];
  } else {
    for (int64_t j = 0; j < n; ++j) dst[j * stride] = src[perm[j] * stride];
  }
}
PermuteFn permuter(DType d) {
  switch (itemsize(d)) {
    case 1:
      return &permute_row<uint8_t>;
    case 4:
      return &permute_row<uint32_t>;
    default:
      return &permute_row<uint64_t>;
  }
}

// Below this row length a comparison sort beats the radix passes.
constexpr int64_t kRadixMinLength = 64;

// Sorts the positions of one row by its encoded keys, stably and lexicographically. Long rows
// use LSD radix sorts, one per key from the last key to the first (each pass is stable, so the
// first key ends up most significant); short rows use std::stable_sort. Buffers are reused
// across the rows one thread handles.
class RowSorter {
 public:
  RowSorter(int64_t n, std::vector<int> key_bytes)
      : n_(n),
        key_bytes_(std::move(key_bytes)),
        keys_(size_t(n) * key_bytes_.size()),
        key_a_(size_t(n)),
        key_b_(size_t(n)),
        pos_a_(size_t(n)),
        pos_b_(size_t(n)) {}

  // keys(k) receives the encoded row of key k before sort() is called.
  uint64_t* keys(size_t k) { return keys_.data() + k * size_t(n_); }

  // The sorted order: position j of the output takes element sort()[j] of the input row.
  const int64_t* sort() {
    std::iota(pos_a_.begin(), pos_a_.end(), int64_t{0});
    const size_t num_keys = key_bytes_.size();
    if (n_ < kRadixMinLength) {
      const uint64_t* kd = keys_.data();
      const size_t n = size_t(n_);
      std::stable_sort(pos_a_.begin(), pos_a_.end(), [&](int64_t a, int64_t b) {
        for (size_t k = 0; k < num_keys; ++k) {
          uint64_t x = kd[k * n + size_t(a)], y = kd[k * n + size_t(b)];
          if (x != y) return x < y;
        }
        return false;
      });
      return pos_a_.data();
    }
    uint64_t* key = key_a_.data();
    uint64_t* key_tmp = key_b_.data();
    int64_t* pos = pos_a_.data();
    int64_t* pos_tmp = pos_b_.data();
    for (size_t k = num_keys; k-- > 0;) {
      const uint64_t* src = keys(k);
      if (k + 1 == num_keys) {
        std::memcpy(key, src, size_t(n_) * sizeof(uint64_t));
      } else {
        for (int64_t j = 0; j < n_; ++j) key[j] = src[pos[j]];
      }
      switch (key_bytes_[k]) {
        case 1:
          radix_pass<1>(key, pos, key_tmp, pos_tmp);
          break;
        case 4:
          radix_pass<4>(key, pos, key_tmp, pos_tmp);
          break;
        default:
          radix_pass<8>(key, pos, key_tmp, pos_tmp);
          break;
      }
    }
    return pos;
  }

 private:
  // Stable LSD radix sort of (key, pos) by the low `bytes` bytes of key, one byte per pass;
  // passes where every key has the same digit are skipped. Results end in key/pos.
  template <int bytes>
  void radix_pass(uint64_t*& key, int64_t*& pos, uint64_t*& key_tmp, int64_t*& pos_tmp) {
    std::array<std::array<int64_t, 256>, bytes> hist{};
    for (int64_t j = 0; j < n_; ++j) {
      uint64_t v = key[j];
      for (int b = 0; b < bytes; ++b) ++hist[size_t(b)][(v >> (8 * b)) & 255];
    }
    for (int b = 0; b < bytes; ++b) {
      std::array<int64_t, 256>& h = hist[size_t(b)];
      const int shift = 8 * b;
      if (h[(key[0] >> shift) & 255] == n_) continue;
      int64_t sum = 0;
      for (int64_t& c : h) {
        int64_t count = c;
        c = sum;
        sum += count;
      }
      for (int64_t j = 0; j < n_; ++j) {
        const int64_t o = h[(key[j] >> shift) & 255]++;
        key_tmp[o] = key[j];
        pos_tmp[o] = pos[j];
      }
      std::swap(key, key_tmp);
      std::swap(pos, pos_tmp);
    }
  }

  int64_t n_;
  std::vector<int> key_bytes_;
  std::vector<uint64_t> keys_, key_a_, key_b_;
  std::vector<int64_t> pos_a_, pos_b_;
};

std::vector<ShapedArray> sort_abstract_eval(std::span<const ShapedArray> in, const Params& p) {
  if (in.empty()) throw ValueError("sort requires at least one operand");
  for (const ShapedArray& a : in) {
    if (!(a.shape == in[0].shape)) {
      std::string shapes;
      for (size_t i = 0; i < in.size(); ++i) {
        if (i) shapes += ' ';
        shapes += in[i].shape.str();
      }
      throw ShapeError("Arguments to sort must have equal shapes, got: " + shapes);
    }
  }
  const int64_t dimension = p.get_int("dimension");
  const int ndim = in[0].ndim();
  if (dimension < 0 || dimension >= ndim) {
    throw IndexError("sort: dimension " + std::to_string(dimension) +
                     " is out of bounds for array of dimension " + std::to_string(ndim) +
                     " (operand shape " + in[0].shape.str() + ")");
  }
  const int64_t num_keys = p.get_int("num_keys");
  if (num_keys < 1 || num_keys > int64_t(in.size())) {
    throw ValueError("sort: num_keys=" + std::to_string(num_keys) + " must be between 1 and " +
                     "len(operand)=" + std::to_string(in.size()));
  }
  p.get_bool("is_stable");
  return {in.begin(), in.end()};
}

// Every sort is stable (allowed for is_stable=false too): each row is ordered by a stable sort
// of its positions under the lexicographic key order.
std::vector<Array> sort_impl(std::span<const Array> in, const Params& p,
                             const KernelOutputs& out_avals) {
  std::vector<Array> out;
  for (size_t i = 0; i < out_avals.size(); ++i) out.push_back(out_avals.make(i));
  const Shape& shape = in[0].shape();
  if (shape.numel() == 0) return out;
  const size_t dim = size_t(p.get_int("dimension"));
  const int64_t num_keys = p.get_int("num_keys");
  const int64_t n = shape[dim];
  int64_t inner = 1;
  for (size_t i = dim + 1; i < shape.size(); ++i) inner *= shape[i];
  const int64_t rows = shape.numel() / n;
  if (n == 1) {
    for (size_t i = 0; i < in.size(); ++i) {
      std::memcpy(mutable_data(out[i]), array_data(in[i]), in[i].nbytes());
    }
    return out;
  }

  std::vector<EncodeFn> encoders;
  for (int64_t k = 0; k < num_keys; ++k) encoders.push_back(encoder(in[size_t(k)].dtype()));
  std::vector<PermuteFn> permuters;
  std::vector<const void*> srcs;
  std::vector<void*> dsts;
  int64_t row_bytes = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    permuters.push_back(permuter(in[i].dtype()));
    srcs.push_back(array_data(in[i]));
    dsts.push_back(mutable_data(out[i]));
    row_bytes += 2 * n * int64_t(itemsize(in[i].dtype()));
  }
  row_bytes += n * (8 * num_keys + 32);
  const int64_t grain = std::max<int64_t>(cpu::kParallelBytes / row_bytes, 1);

  std::vector<int> key_bytes;
  for (int64_t k = 0; k < num_keys; ++k) key_bytes.push_back(int(itemsize(in[size_t(k)].dtype())));
  cpu::parallel_for(rows, grain, [&](int64_t r0, int64_t r1) {
    RowSorter sorter(n, key_bytes);
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t start = (r / inner) * n * inner + r % inner;
      for (int64_t k = 0; k < num_keys; ++k) {
        encoders[size_t(k)](srcs[size_t(k)], start, inner, n, sorter.keys(size_t(k)));
      }
      const int64_t* perm = sorter.sort();
      for (size_t i = 0; i < in.size(); ++i) permuters[i](srcs[i], dsts[i], start, inner, n, perm);
    }
  });
  return out;
}

// vmap: every operand gets the first mapped operand's batch dim (unmapped ones are broadcast
// there, as sort needs equal shapes), and the sorted dimension moves past it.
std::pair<std::vector<Array>, std::vector<BatchDim>> sort_batch_rule(std::span<const Array> in,
                                                                     std::span<const BatchDim> dims,
                                                                     const Params& params,
                                                                     const AxisData& axis) {
  const int d = *dims[batching::first_mapped(dims)];
  std::vector<Array> aligned;
  for (size_t i = 0; i < in.size(); ++i) {
    aligned.push_back(batching::matchaxis(in[i], dims[i], d, axis.size));
  }
  const int64_t dimension = params.get_int("dimension");
  Params q = params;
  q.set("dimension", batching::batched_axis(dimension, d));
  std::vector<Array> outs = bind(Prim::sort, aligned, q);
  return {std::move(outs), std::vector<BatchDim>(in.size(), d)};
}

// JAX's _sort_jvp: an iota along the sorted dimension is sorted alongside (not as a key) to
// give the permutation, and each nonzero tangent is gathered through it.
std::pair<std::vector<Array>, std::vector<Array>> sort_jvp(std::span<const Array> primals,
                                                           std::span<const Array> tangents,
                                                           const Params& params) {
  const Shape shape = primals[0].shape();
  const int64_t dimension = params.get_int("dimension");
  std::vector<Array> operands(primals.begin(), primals.end());
  auto iota_dtype = [](int64_t size) {
    return size < std::numeric_limits<int32_t>::max() ? DType::int32 : DType::int64;
  };
  operands.push_back(lax::broadcasted_iota(iota_dtype(shape[size_t(dimension)]), shape, dimension));
  std::vector<Array> outs = bind(Prim::sort, operands, params);
  Array perm = std::move(outs.back());
  outs.pop_back();
  std::vector<Array> tangents_out(tangents.size());
  bool any = false;
  for (const Array& t : tangents) any = any || !ad::is_zero(t);
  if (!any) return {std::move(outs), std::move(tangents_out)};
  // Each tangent follows its element: t[iota_0, ..., perm, ..., iota_{nd-1}].
  for (size_t i = 0; i < tangents.size(); ++i) {
    if (ad::is_zero(tangents[i])) continue;
    tangents_out[i] = gather_along_axis(tangents[i], perm, static_cast<int>(dimension),
                                        lax::GatherScatterMode::kPromiseInBounds);
  }
  return {std::move(outs), std::move(tangents_out)};
}

}  // namespace

void register_sort() {
  def(Prim::sort)
      .shape(sort_abstract_eval)
      .impl(sort_impl)
      .multiple_results()
      .batch(sort_batch_rule)
      .jvp(sort_jvp);
}

}  // namespace jx::primitives

namespace jx::lax {

std::vector<Array> sort(const std::vector<Array>& operands, int64_t dimension, bool is_stable,
                        int64_t num_keys) {
  if (operands.empty()) throw ValueError("sort requires at least one operand");
  if (num_keys < 1 || num_keys > int64_t(operands.size())) {
    throw ValueError("sort: num_keys=" + std::to_string(num_keys) + " must be between 1 and " +
                     "len(operand)=" + std::to_string(operands.size()));
  }
  if (!operands[0].valid()) throw ValueError("sort: argument 0 is a null jx::Array");
  int dim = normalize_axis(dimension, operands[0].ndim(), "sort");
  return bind(
      Prim::sort, operands,
      Params{{"dimension", int64_t{dim}}, {"is_stable", is_stable}, {"num_keys", num_keys}});
}

Array sort(const Array& operand, int64_t dimension, bool is_stable) {
  return std::move(sort(std::vector<Array>{operand}, dimension, is_stable, 1)[0]);
}

}  // namespace jx::lax
