// jnp.einsum: parses the subscripts (explicit or implicit output, "..." broadcasting), takes
// diagonals of repeated labels, sums labels used by one operand only, then contracts operands
// pairwise (greedily, smallest intermediate first) with lax::dot_general.
#include <algorithm>
#include <map>
#include <numeric>

#include "api/promote.h"
#include "jx/lax.h"
#include "jx/numpy.h"

namespace jx::numpy {
namespace {

// Labels: letters keep their character code; the ellipsis dimensions get 256 + position
// (right-aligned across operands, so they broadcast as numpy does).
using Labels = std::vector<int>;
constexpr int kEllipsisBase = 256;

struct Term {
  Labels labels;
  bool has_ellipsis = false;
};

[[noreturn]] void fail(std::string_view subscripts, const std::string& why) {
  throw ValueError("einsum: " + why + " (subscripts \"" + std::string(subscripts) + "\")");
}

Term parse_term(std::string_view t, std::string_view subscripts) {
  Term term;
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (c == ' ') continue;
    if (c == '.') {
      if (t.substr(i, 3) != "..." || term.has_ellipsis) fail(subscripts, "invalid ellipsis");
      term.has_ellipsis = true;
      term.labels.push_back(-1);  // placeholder, expanded per operand
      i += 2;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      term.labels.push_back(c);
    } else {
      fail(subscripts, std::string("invalid subscript '") + c + "'");
    }
  }
  return term;
}

// Replaces the ellipsis placeholder by `n` ellipsis labels, the last of which is the last of
// the `total` broadcast ellipsis dimensions.
Labels expand(const Term& t, int n, int total) {
  Labels out;
  for (int l : t.labels) {
    if (l != -1) {
      out.push_back(l);
      continue;
    }
    for (int i = 0; i < n; ++i) out.push_back(kEllipsisBase + total - n + i);
  }
  return out;
}

struct Operand {
  Array value;
  Labels labels;
};

int count_in(const Labels& l, int label) {
  return static_cast<int>(std::count(l.begin(), l.end(), label));
}

// Takes the diagonal over every label repeated within one operand.
Operand take_diagonals(Operand op) {
  while (true) {
    int i = -1, j = -1;
    for (size_t a = 0; a < op.labels.size() && i < 0; ++a) {
      for (size_t b = a + 1; b < op.labels.size(); ++b) {
        if (op.labels[a] == op.labels[b]) {
          i = static_cast<int>(a);
          j = static_cast<int>(b);
          break;
        }
      }
    }
    if (i < 0) return op;
    const Array& x = op.value;
    const Shape& s = x.shape();
    // Keep the elements where coordinate i == coordinate j, then sum dimension j away.
    Array eq = lax::eq(lax::broadcasted_iota(DType::int32, s, i),
                       lax::broadcasted_iota(DType::int32, s, j));
    Array zero = lax::broadcast_in_dim(
        lax::convert_element_type(Array::from_vector<int32_t>({0}, Shape{}), x.dtype()), s, {});
    Array masked = lax::select_n(eq, {zero, x});
    if (x.dtype() == DType::bool_) {
      op.value = lax::reduce_or(masked, {j});
    } else {
      op.value = lax::reduce_sum(masked, {j});
    }
    op.labels.erase(op.labels.begin() + j);
  }
}

Array sum_dims(const Array& x, const std::vector<int64_t>& dims) {
  if (dims.empty()) return x;
  if (x.dtype() == DType::bool_) return lax::reduce_or(x, dims);
  return lax::reduce_sum(x, dims);
}

// Sums every label of op that no other operand and not the output uses.
Operand sum_private(Operand op, const std::vector<Operand>& others, const Labels& output,
                    size_t self) {
  std::vector<int64_t> dims;
  Labels kept;
  for (size_t d = 0; d < op.labels.size(); ++d) {
    int l = op.labels[d];
    bool used = count_in(output, l) > 0;
    for (size_t k = 0; k < others.size() && !used; ++k) {
      if (k != self) used = count_in(others[k].labels, l) > 0;
    }
    if (used)
      kept.push_back(l);
    else
      dims.push_back(static_cast<int64_t>(d));
  }
  op.value = sum_dims(op.value, dims);
  op.labels = kept;
  return op;
}

// Contracts a and b: labels both use become batch dims when still needed elsewhere (in the
// output or another operand), else are contracted.
Operand contract(const Operand& a, const Operand& b, const std::vector<Operand>& rest,
                 const Labels& output) {
  lax::DotDimensionNumbers dn;
  Labels batch, a_free, b_free;
  for (size_t i = 0; i < a.labels.size(); ++i) {
    int l = a.labels[i];
    auto it = std::find(b.labels.begin(), b.labels.end(), l);
    if (it == b.labels.end()) {
      a_free.push_back(l);
      continue;
    }
    bool needed = count_in(output, l) > 0;
    for (const auto& r : rest) needed = needed || count_in(r.labels, l) > 0;
    const int64_t j = it - b.labels.begin();
    if (needed) {
      dn.batch.first.push_back(static_cast<int64_t>(i));
      dn.batch.second.push_back(j);
      batch.push_back(l);
    } else {
      dn.contracting.first.push_back(static_cast<int64_t>(i));
      dn.contracting.second.push_back(j);
    }
  }
  for (int l : b.labels) {
    if (count_in(a.labels, l) == 0) b_free.push_back(l);
  }
  Operand out;
  if (a.value.dtype() == DType::bool_) {
    // No bool GEMM: compute in int32 and test for non-zero (any of the products is true).
    Array ai = lax::convert_element_type(a.value, DType::int32);
    Array bi = lax::convert_element_type(b.value, DType::int32);
    out.value = lax::convert_element_type(lax::dot_general(ai, bi, dn), DType::bool_);
  } else {
    out.value = lax::dot_general(a.value, b.value, dn);
  }
  out.labels = batch;
  out.labels.insert(out.labels.end(), a_free.begin(), a_free.end());
  out.labels.insert(out.labels.end(), b_free.begin(), b_free.end());
  return out;
}

int64_t result_size(const Operand& a, const Operand& b, std::map<int, int64_t>& sizes) {
  int64_t n = 1;
  for (int l : a.labels) n *= sizes[l];
  for (int l : b.labels) {
    if (count_in(a.labels, l) == 0) n *= sizes[l];
  }
  return n;
}

}  // namespace

Array einsum(std::string_view subscripts, const std::vector<Array>& operands_in) {
  if (operands_in.empty()) throw ValueError("einsum: at least one operand is required");
  std::string_view lhs = subscripts, rhs;
  const size_t arrow = subscripts.find("->");
  const bool explicit_out = arrow != std::string_view::npos;
  if (explicit_out) {
    lhs = subscripts.substr(0, arrow);
    rhs = subscripts.substr(arrow + 2);
  }
  std::vector<Term> terms;
  size_t pos = 0;
  while (true) {
    size_t comma = lhs.find(',', pos);
    terms.push_back(parse_term(
        lhs.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos),
        subscripts));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  if (terms.size() != operands_in.size()) {
    fail(subscripts, std::to_string(terms.size()) + " terms given for " +
                         std::to_string(operands_in.size()) + " operands");
  }
  std::vector<Array> promoted = numpy_detail::promote_dtypes(operands_in);

  // Ellipsis dimension counts, then full label lists and label sizes (size 1 broadcasts).
  int total_ell = 0;
  std::vector<int> n_ell(terms.size(), 0);
  for (size_t k = 0; k < terms.size(); ++k) {
    const int named = static_cast<int>(terms[k].labels.size()) - (terms[k].has_ellipsis ? 1 : 0);
    const int nd = promoted[k].ndim();
    if (terms[k].has_ellipsis ? nd < named : nd != named) {
      fail(subscripts, "operand " + std::to_string(k) + " has " + std::to_string(nd) +
                           " dimensions (shape " + promoted[k].shape().str() +
                           ") but its term has " + std::to_string(named) + " labels");
    }
    n_ell[k] = nd - named;
    total_ell = std::max(total_ell, n_ell[k]);
  }
  std::vector<Operand> ops;
  std::map<int, int64_t> sizes;
  for (size_t k = 0; k < terms.size(); ++k) {
    Operand op{promoted[k], expand(terms[k], n_ell[k], total_ell)};
    for (size_t d = 0; d < op.labels.size(); ++d) {
      const int l = op.labels[d];
      const int64_t s = op.value.shape()[d];
      auto it = sizes.find(l);
      if (it == sizes.end() || it->second == 1) {
        sizes[l] = s;
      } else if (s != 1 && s != it->second) {
        std::string name = l >= kEllipsisBase ? std::string("...") : std::string(1, char(l));
        fail(subscripts, "size of label '" + name + "' for operand " + std::to_string(k) + " (" +
                             std::to_string(s) + ") does not match previous terms (" +
                             std::to_string(it->second) + ")");
      }
    }
    ops.push_back(std::move(op));
  }

  // Output labels.
  Labels output;
  if (explicit_out) {
    Term out_term = parse_term(rhs, subscripts);
    output = expand(out_term, out_term.has_ellipsis ? total_ell : 0, total_ell);
    for (size_t i = 0; i < output.size(); ++i) {
      if (count_in(output, output[i]) > 1) {
        fail(subscripts,
             std::string("output subscript '") + char(output[i]) + "' appears more than once");
      }
      if (!sizes.count(output[i])) {
        fail(subscripts, std::string("output subscript '") + char(output[i]) +
                             "' does not appear in the inputs");
      }
    }
  } else {
    for (int i = 0; i < total_ell; ++i) output.push_back(kEllipsisBase + i);
    std::map<int, int> counts;
    for (const auto& op : ops) {
      for (int l : op.labels) {
        if (l < kEllipsisBase) ++counts[l];
      }
    }
    for (auto [l, c] : counts) {  // std::map: character-code order, as numpy
      if (c == 1) output.push_back(l);
    }
  }

  // Size-1 dimensions broadcast against a larger size of the same label: drop them (a length-1
  // axis contributes a single factor), so dot_general sees matching sizes.
  for (auto& op : ops) {
    std::vector<int64_t> drop;
    Labels kept;
    for (size_t d = 0; d < op.labels.size(); ++d) {
      if (op.value.shape()[d] == 1 && sizes[op.labels[d]] != 1)
        drop.push_back(static_cast<int64_t>(d));
      else
        kept.push_back(op.labels[d]);
    }
    if (!drop.empty()) {
      op.value = lax::squeeze(op.value, drop);
      op.labels = kept;
    }
  }
  for (auto& op : ops) op = take_diagonals(std::move(op));
  for (size_t k = 0; k < ops.size(); ++k) ops[k] = sum_private(ops[k], ops, output, k);

  while (ops.size() > 1) {
    size_t bi = 0, bj = 1;
    int64_t best = -1;
    for (size_t i = 0; i < ops.size(); ++i) {
      for (size_t j = i + 1; j < ops.size(); ++j) {
        int64_t n = result_size(ops[i], ops[j], sizes);
        if (best < 0 || n < best) {
          best = n;
          bi = i;
          bj = j;
        }
      }
    }
    std::vector<Operand> rest;
    for (size_t k = 0; k < ops.size(); ++k) {
      if (k != bi && k != bj) rest.push_back(ops[k]);
    }
    Operand c = contract(ops[bi], ops[bj], rest, output);
    rest.push_back(std::move(c));
    ops = std::move(rest);
  }
  Operand result = sum_private(ops[0], {}, output, 0);

  // Labels of the output missing from the result were size-1 everywhere (dropped above).
  std::vector<int64_t> perm;
  Shape out_shape;
  bool missing = false;
  for (int l : output) {
    auto it = std::find(result.labels.begin(), result.labels.end(), l);
    if (it != result.labels.end())
      perm.push_back(it - result.labels.begin());
    else
      missing = true;
    out_shape.push_back(sizes[l]);
  }
  Array out = result.value;
  bool identity = true;
  for (size_t i = 0; i < perm.size(); ++i)
    identity = identity && perm[i] == static_cast<int64_t>(i);
  if (!identity) out = lax::transpose(out, perm);
  if (missing) {
    // Defensive: an output label absent from the result can only have size 1; re-insert it.
    std::vector<int64_t> dims;
    for (size_t i = 0; i < output.size(); ++i) {
      if (std::find(result.labels.begin(), result.labels.end(), output[i]) != result.labels.end()) {
        dims.push_back(static_cast<int64_t>(i));
      }
    }
    out = lax::broadcast_in_dim(out, out_shape, dims);
  }
  return out;
}

}  // namespace jx::numpy
