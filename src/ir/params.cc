#include "ir/params.h"

#include <algorithm>
#include <functional>
#include <ostream>
#include <stdexcept>

#include "ir/jaxpr.h"

namespace jx {

Params::Params(std::initializer_list<Entry> entries) {
  for (const auto& e : entries) set(e.first, e.second);
}

void Params::set(std::string_view key, ParamValue value) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), key,
                             [](const Entry& e, std::string_view k) { return e.first < k; });
  if (it != entries_.end() && it->first == key) {
    it->second = std::move(value);
  } else {
    entries_.insert(it, Entry{key, std::move(value)});
  }
}

const ParamValue* Params::find(std::string_view key) const {
  for (const auto& e : entries_) {
    if (e.first == key) return &e.second;
  }
  return nullptr;
}

void Params::missing(std::string_view key) const {
  throw std::logic_error("jx internal error: primitive parameter '" + std::string(key) +
                         "' is missing or has the wrong type in {" + str() + "}");
}

size_t Params::hash() const {
  size_t h = entries_.size();
  auto mix = [&h](size_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
  for (const auto& [k, v] : entries_) {
    mix(std::hash<std::string_view>{}(k));
    mix(v.index());
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
            for (int64_t i : x) mix(std::hash<int64_t>{}(i));
          } else if constexpr (std::is_same_v<T, DType>) {
            mix(static_cast<size_t>(x));
          } else {
            mix(std::hash<T>{}(x));
          }
        },
        v);
  }
  return h;
}

std::string param_value_str(const ParamValue& v) {
  std::string s;
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, bool>) {
          s += x ? "True" : "False";
        } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
          s += "(";
          for (size_t i = 0; i < x.size(); ++i) {
            if (i) s += ", ";
            s += std::to_string(x[i]);
          }
          s += x.size() == 1 ? ",)" : ")";
        } else if constexpr (std::is_same_v<T, DType>) {
          s += dtype_name(x);
        } else if constexpr (std::is_same_v<T, std::string>) {
          s += x;
        } else if constexpr (std::is_same_v<T, std::shared_ptr<const OpaqueParam>>) {
          s += x ? x->str() : "None";
        } else if constexpr (std::is_same_v<T, JaxprRef>) {
          s += x ? x->str() : "None";
        } else {
          s += std::to_string(x);
        }
      },
      v);
  return s;
}

std::string Params::str() const {
  std::string s;
  for (const auto& [k, v] : entries_) {
    if (!s.empty()) s += " ";
    s += k;
    s += "=";
    s += param_value_str(v);
  }
  return s;
}

std::ostream& operator<<(std::ostream& os, const Params& p) { return os << p.str(); }

}  // namespace jx
