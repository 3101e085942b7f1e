#include "compiler/loop_emitter.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Transforms/Utils/ModuleUtils.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "backend/cpu/reduce_kernels.h"
#include "backend/cpu/vector_math.h"

namespace jx::compiler {
namespace {

using Term = LoopProgram::Input::Term;
using Values = std::vector<llvm::Value*>;

bool is_reduce(Prim p) {
  return p == Prim::reduce_sum || p == Prim::reduce_max || p == Prim::reduce_min;
}

llvm::Type* scalar_type(llvm::LLVMContext& c, DType d) {
  switch (d) {
    case DType::float32:
      return llvm::Type::getFloatTy(c);
    case DType::float64:
      return llvm::Type::getDoubleTy(c);
    case DType::bool_:
    case DType::uint8:
      return llvm::Type::getInt8Ty(c);
    case DType::int32:
    case DType::uint32:
      return llvm::Type::getInt32Ty(c);
    case DType::int64:
      return llvm::Type::getInt64Ty(c);
    default:
      throw std::logic_error("jx codegen: unsupported dtype");
  }
}

// The type of `width` values of dtype d as the program computes with them (bool: i1).
llvm::Type* value_type(llvm::LLVMContext& c, DType d, unsigned width) {
  llvm::Type* t = d == DType::bool_ ? llvm::Type::getInt1Ty(c) : scalar_type(c, d);
  return width == 1 ? t : llvm::FixedVectorType::get(t, width);
}
llvm::Type* memory_type(llvm::LLVMContext& c, DType d, unsigned width) {
  llvm::Type* t = scalar_type(c, d);
  return width == 1 ? t : llvm::FixedVectorType::get(t, width);
}

// static_cast<To>(from) as the eager kernel computes it (bool values are i1 here).
llvm::Value* convert(llvm::IRBuilder<>& b, llvm::Value* v, DType from, DType to, unsigned width) {
  if (to == DType::bool_) {
    if (from == DType::bool_) return v;
    return is_floating(from) ? b.CreateFCmpUNE(v, llvm::ConstantFP::get(v->getType(), 0.0))
                             : b.CreateICmpNE(v, llvm::ConstantInt::get(v->getType(), 0));
  }
  llvm::Type* t = value_type(b.getContext(), to, width);
  if (is_floating(to)) {
    if (is_floating(from)) return b.CreateFPCast(v, t);
    if (from == DType::bool_ || is_unsigned_integer(from)) return b.CreateUIToFP(v, t);
    return b.CreateSIToFP(v, t);
  }
  // to an integer, from bool or an integer (float -> integer is not generated).
  if (from == DType::bool_) return b.CreateZExt(v, t);
  return b.CreateIntCast(v, t, is_signed_integer(from));
}

// The eager kernel's function (vector_math.h) on `width` lanes: a call of the scalar entry that
// the loop vectoriser may widen (its vector entries are declared as its variants), or, for
// explicit vectors, calls of the widest vector entry on pieces of the vector.
llvm::Value* math_call(llvm::IRBuilder<>& b, llvm::Module& m, cpu::MathFn fn, DType d,
                       llvm::Value* x, unsigned width) {
  llvm::LLVMContext& c = m.getContext();
  const bool f64 = d == DType::float64;
  llvm::Type* t = scalar_type(c, d);
  const cpu::MathSymbol* scalar = nullptr;
  std::vector<const cpu::MathSymbol*> vectors;
  for (const cpu::MathSymbol& s : cpu::math_symbols()) {
    if (s.fn != fn || s.f64 != f64) continue;
    if (s.width == 1) {
      scalar = &s;
    } else {
      vectors.push_back(&s);
    }
  }
  auto declare = [&](const cpu::MathSymbol& s) {
    llvm::Type* vt =
        s.width == 1 ? t : llvm::FixedVectorType::get(t, static_cast<unsigned>(s.width));
    llvm::Function* f = m.getFunction(s.name);
    if (f == nullptr) {
      f = llvm::Function::Create(llvm::FunctionType::get(vt, {vt}, false),
                                 llvm::Function::ExternalLinkage, s.name, m);
      f->setDoesNotAccessMemory();
      f->setDoesNotThrow();
      f->setWillReturn();
    }
    return f;
  };
  llvm::Function* f = declare(*scalar);
  if (!vectors.empty() && !f->hasFnAttribute("vector-function-abi-variant")) {
    std::string variants;
    std::vector<llvm::GlobalValue*> used;
    for (const cpu::MathSymbol* v : vectors) {
      if (!variants.empty()) variants += ',';
      variants +=
          "_ZGV_LLVM_N" + std::to_string(v->width) + "v_" + scalar->name + "(" + v->name + ")";
      used.push_back(declare(*v));
    }
    f->addFnAttr("vector-function-abi-variant", variants);
    llvm::appendToCompilerUsed(m, used);  // kept for the loop vectoriser
  }
  if (width == 1) return b.CreateCall(f, {x});
  const cpu::MathSymbol* widest = nullptr;
  for (const cpu::MathSymbol* v : vectors) {
    if (width % static_cast<unsigned>(v->width) == 0 &&
        (widest == nullptr || v->width > widest->width)) {
      widest = v;
    }
  }
  if (widest == nullptr) {  // lane by lane
    llvm::Value* r = llvm::PoisonValue::get(x->getType());
    for (unsigned l = 0; l < width; ++l) {
      r = b.CreateInsertElement(r, b.CreateCall(f, {b.CreateExtractElement(x, uint64_t{l})}),
                                uint64_t{l});
    }
    return r;
  }
  const auto piece = static_cast<unsigned>(widest->width);
  llvm::Function* vf = declare(*widest);
  std::vector<llvm::Value*> parts;
  for (unsigned p0 = 0; p0 < width; p0 += piece) {
    std::vector<int> lanes;
    for (unsigned l = 0; l < piece; ++l) lanes.push_back(static_cast<int>(p0 + l));
    parts.push_back(b.CreateCall(vf, {b.CreateShuffleVector(x, lanes)}));
  }
  // Concatenate the pieces pairwise back to `width` lanes.
  while (parts.size() > 1) {
    std::vector<llvm::Value*> joined;
    for (size_t k = 0; k < parts.size(); k += 2) {
      const auto n = static_cast<int>(
          llvm::cast<llvm::FixedVectorType>(parts[k]->getType())->getNumElements());
      std::vector<int> lanes;
      for (int l = 0; l < 2 * n; ++l) lanes.push_back(l);
      joined.push_back(b.CreateShuffleVector(parts[k], parts[k + 1], lanes));
    }
    parts = std::move(joined);
  }
  return parts[0];
}

// a < b (less) or a > b, ordered, for floats or integers of the given signedness.
llvm::Value* compare_values(llvm::IRBuilder<>& b, bool fl, bool sig, llvm::Value* l, llvm::Value* r,
                            bool less) {
  if (fl) return less ? b.CreateFCmpOLT(l, r) : b.CreateFCmpOGT(l, r);
  using P = llvm::CmpInst;
  return b.CreateICmp(less ? (sig ? P::ICMP_SLT : P::ICMP_ULT) : (sig ? P::ICMP_SGT : P::ICMP_UGT),
                      l, r);
}

// A scalar_function (one value at a time, as the eager kernel calls it) on `width` lanes.
llvm::Value* scalar_call(llvm::IRBuilder<>& b, llvm::Module& m, const ScalarFunction& fn, DType d,
                         const Values& x, unsigned width) {
  llvm::Type* t = scalar_type(m.getContext(), d);
  const std::string name = std::string("jx_") + fn.name + (d == DType::float64 ? "_f64" : "_f32");
  llvm::Function* f = m.getFunction(name);
  if (f == nullptr) {
    f = llvm::Function::Create(
        llvm::FunctionType::get(t, std::vector<llvm::Type*>(static_cast<size_t>(fn.arity), t),
                                false),
        llvm::Function::ExternalLinkage, name, m);
    f->setDoesNotThrow();
    f->setWillReturn();
    f->setOnlyAccessesInaccessibleMemory();  // libm may set errno
  }
  if (width == 1) return b.CreateCall(f, x);
  llvm::Value* r = llvm::PoisonValue::get(llvm::FixedVectorType::get(t, width));
  for (unsigned l = 0; l < width; ++l) {
    Values lane;
    for (llvm::Value* v : x) lane.push_back(b.CreateExtractElement(v, uint64_t{l}));
    r = b.CreateInsertElement(r, b.CreateCall(f, lane), uint64_t{l});
  }
  return r;
}

// One operation on `width` lanes, with the eager kernels' semantics for its operand dtype `in`.
llvm::Value* emit_op(llvm::IRBuilder<>& b, llvm::Module& m, const LoopProgram::Op& op,
                     const Values& x, DType in, unsigned width) {
  auto intrinsic = [&](llvm::Intrinsic::ID id, llvm::Value* a) {
    llvm::Function* f = llvm::Intrinsic::getDeclaration(&m, id, {a->getType()});
    return b.CreateCall(f, {a});
  };
  const bool fl = is_floating(in);
  const bool sig = is_signed_integer(in);
  // max/min as the eager kernels: for floats NaN if either operand is NaN, else
  // x > y ? x : y (so max(-0., +0.) is +0.).
  auto choose = [&](bool greater) -> llvm::Value* {
    llvm::Value* chosen =
        b.CreateSelect(compare_values(b, fl, sig, x[0], x[1], !greater), x[0], x[1]);
    if (!fl) return chosen;
    llvm::Value* nan = llvm::ConstantFP::getQNaN(x[0]->getType());
    return b.CreateSelect(b.CreateFCmpUNO(x[0], x[1]), nan, chosen);
  };
  auto compare = [&](llvm::CmpInst::Predicate f, llvm::CmpInst::Predicate s_,
                     llvm::CmpInst::Predicate u) {
    return fl ? b.CreateFCmp(f, x[0], x[1]) : b.CreateICmp(sig ? s_ : u, x[0], x[1]);
  };
  // XLA's shifts: an amount of at least the bit width gives 0 (logical) or the sign
  // (arithmetic, clamped to width - 1).
  auto shift = [&](llvm::Instruction::BinaryOps kind) -> llvm::Value* {
    llvm::Type* type = x[0]->getType();
    const unsigned bits = type->getScalarSizeInBits();
    llvm::Value* too_far = b.CreateICmpUGE(x[1], llvm::ConstantInt::get(type, bits));
    if (kind == llvm::Instruction::AShr) {
      llvm::Value* amount = b.CreateSelect(too_far, llvm::ConstantInt::get(type, bits - 1), x[1]);
      return b.CreateAShr(x[0], amount);
    }
    llvm::Value* zero = llvm::ConstantInt::get(type, 0);
    llvm::Value* safe = b.CreateSelect(too_far, zero, x[1]);
    return b.CreateSelect(too_far, zero, b.CreateBinOp(kind, x[0], safe));
  };
  if (auto fn = elementary_function(op.prim)) return math_call(b, m, *fn, in, x[0], width);
  if (auto fn = scalar_function(op.prim)) return scalar_call(b, m, *fn, in, x, width);
  using P = llvm::CmpInst;
  switch (op.prim) {
    case Prim::add:
      return fl ? b.CreateFAdd(x[0], x[1]) : b.CreateAdd(x[0], x[1]);
    case Prim::sub:
      return fl ? b.CreateFSub(x[0], x[1]) : b.CreateSub(x[0], x[1]);
    case Prim::mul:
      return fl ? b.CreateFMul(x[0], x[1]) : b.CreateMul(x[0], x[1]);
    case Prim::div:
      return b.CreateFDiv(x[0], x[1]);
    case Prim::neg:
      return fl ? b.CreateFNeg(x[0]) : b.CreateNeg(x[0]);
    case Prim::abs:
      return intrinsic(llvm::Intrinsic::fabs, x[0]);
    case Prim::sqrt:
      return intrinsic(llvm::Intrinsic::sqrt, x[0]);
    case Prim::rsqrt:
      return b.CreateFDiv(llvm::ConstantFP::get(x[0]->getType(), 1.0),
                          intrinsic(llvm::Intrinsic::sqrt, x[0]));
    case Prim::floor:
      return intrinsic(llvm::Intrinsic::floor, x[0]);
    case Prim::ceil:
      return intrinsic(llvm::Intrinsic::ceil, x[0]);
    case Prim::sign: {
      // Floats: x itself at zeros and NaN, else 1 with x's sign; integers: -1, 0 or 1.
      llvm::Type* type = x[0]->getType();
      if (fl) {
        llvm::Value* keep = b.CreateFCmpUEQ(x[0], llvm::ConstantFP::get(type, 0.0));
        llvm::Function* copysign =
            llvm::Intrinsic::getDeclaration(&m, llvm::Intrinsic::copysign, {type});
        return b.CreateSelect(keep, x[0],
                              b.CreateCall(copysign, {llvm::ConstantFP::get(type, 1.0), x[0]}));
      }
      llvm::Value* zero = llvm::ConstantInt::get(type, 0);
      llvm::Value* positive =
          b.CreateZExt(sig ? b.CreateICmpSGT(x[0], zero) : b.CreateICmpNE(x[0], zero), type);
      if (!sig) return positive;
      return b.CreateSub(positive, b.CreateZExt(b.CreateICmpSLT(x[0], zero), type));
    }
    case Prim::clamp: {
      // The eager clamp_op: NaN if any operand is NaN, else min(max(x, lo), hi) by compares.
      llvm::Value* y = b.CreateSelect(compare_values(b, fl, sig, x[1], x[0], true), x[0], x[1]);
      y = b.CreateSelect(compare_values(b, fl, sig, y, x[2], false), x[2], y);
      if (!fl) return y;
      llvm::Value* nan = b.CreateOr(b.CreateFCmpUNO(x[0], x[1]), b.CreateFCmpUNO(x[2], x[2]));
      return b.CreateSelect(nan, llvm::ConstantFP::getQNaN(x[0]->getType()), y);
    }
    case Prim::max:
      return choose(true);
    case Prim::min:
      return choose(false);
    case Prim::eq:
      return compare(P::FCMP_OEQ, P::ICMP_EQ, P::ICMP_EQ);
    case Prim::ne:
      return compare(P::FCMP_UNE, P::ICMP_NE, P::ICMP_NE);
    case Prim::lt:
      return compare(P::FCMP_OLT, P::ICMP_SLT, P::ICMP_ULT);
    case Prim::le:
      return compare(P::FCMP_OLE, P::ICMP_SLE, P::ICMP_ULE);
    case Prim::gt:
      return compare(P::FCMP_OGT, P::ICMP_SGT, P::ICMP_UGT);
    case Prim::ge:
      return compare(P::FCMP_OGE, P::ICMP_SGE, P::ICMP_UGE);
    case Prim::and_:
      return b.CreateAnd(x[0], x[1]);
    case Prim::or_:
      return b.CreateOr(x[0], x[1]);
    case Prim::xor_:
      return b.CreateXor(x[0], x[1]);
    case Prim::not_:
      return b.CreateNot(x[0]);
    case Prim::shift_left:
      return shift(llvm::Instruction::Shl);
    case Prim::shift_right_logical:
      return shift(llvm::Instruction::LShr);
    case Prim::shift_right_arithmetic:
      return shift(llvm::Instruction::AShr);
    case Prim::select_n:  // select_n(pred, on_false, on_true)
      return b.CreateSelect(x[0], x[2], x[1]);
    case Prim::bitcast_convert_type:
      return b.CreateBitCast(x[0], value_type(b.getContext(), op.dtype, width));
    case Prim::convert_element_type:
      return convert(b, x[0], in, op.dtype, width);
    case Prim::broadcast_in_dim:  // a per-row value, already read at each element
      return x[0];
    case Prim::is_finite:
      return b.CreateFCmpONE(intrinsic(llvm::Intrinsic::fabs, x[0]),
                             llvm::ConstantFP::getInfinity(x[0]->getType()));
    default:
      throw std::logic_error("jx codegen: unsupported primitive " +
                             std::string(primitive_name(op.prim)));
  }
}

// The identity of a reduction (cpu::reduce's).
llvm::Value* identity(llvm::Type* t, Prim p, DType d) {
  if (p == Prim::reduce_sum) return llvm::Constant::getNullValue(t);
  const bool max = p == Prim::reduce_max;
  if (is_floating(d)) return llvm::ConstantFP::getInfinity(t, max);
  const unsigned bits = t->getScalarSizeInBits();
  if (is_signed_integer(d)) {
    return llvm::ConstantInt::get(
        t, max ? llvm::APInt::getSignedMinValue(bits) : llvm::APInt::getSignedMaxValue(bits));
  }
  return llvm::ConstantInt::get(
      t, max ? llvm::APInt::getMinValue(bits) : llvm::APInt::getMaxValue(bits));
}

// The accumulator after taking v (cpu::reduce's apply(acc, v)): float max/min take v when it
// is more extreme or NaN, so NaN sticks and ties keep the accumulator.
llvm::Value* accumulate(llvm::IRBuilder<>& b, Prim p, DType d, llvm::Value* acc, llvm::Value* v) {
  const bool fl = is_floating(d);
  if (p == Prim::reduce_sum) return fl ? b.CreateFAdd(acc, v) : b.CreateAdd(acc, v);
  const bool max = p == Prim::reduce_max;
  llvm::Value* take;
  if (fl) {
    take =
        b.CreateOr(max ? b.CreateFCmpOGT(v, acc) : b.CreateFCmpOLT(v, acc), b.CreateFCmpUNO(v, v));
  } else {
    const bool sig = is_signed_integer(d);
    take = b.CreateICmp(max ? (sig ? llvm::CmpInst::ICMP_SGT : llvm::CmpInst::ICMP_UGT)
                            : (sig ? llvm::CmpInst::ICMP_SLT : llvm::CmpInst::ICMP_ULT),
                        v, acc);
  }
  return b.CreateSelect(take, v, acc);
}

// Emits one loop program into a function taking every buffer as a noalias pointer (outputs are
// distinct buffers; an output written in place over an input goes through that input's
// pointer), so loops vectorise without runtime overlap checks.
class Emitter {
 public:
  enum Level { kUniform, kRow, kElement };

  Emitter(const LoopProgram& p, llvm::Module& m) : p_(p), m_(m), c_(m.getContext()), b_(c_) {
    nin_ = p.inputs.size();
    const size_t n = nin_ + p.ops.size();
    level_.assign(n, kRow);
    depth_.assign(n, 0);
    for (size_t k = 0; k < nin_; ++k) {
      const LoopProgram::Input& in = p.inputs[k];
      level_[k] = in.scalar ? kUniform : (p.reduced > 0 && in.inner.empty() ? kRow : kElement);
    }
    for (size_t k = 0; k < p.ops.size(); ++k) {
      const LoopProgram::Op& op = p.ops[k];
      int depth = 0;
      Level level = kRow;
      for (int o : op.operands) {
        depth = std::max(depth, depth_[static_cast<size_t>(o)]);
        level = std::max(level, level_[static_cast<size_t>(o)]);
      }
      if (is_reduce(op.prim)) {
        level = kRow;
        ++depth;
      }
      // A per-row value at every element; bits hashed from each element's index.
      if (op.prim == Prim::broadcast_in_dim || op.prim == Prim::random_bits) level = kElement;
      level_[nin_ + k] = level;
      depth_[nin_ + k] = depth;
      max_depth_ = std::max(max_depth_, depth);
    }
  }

  void emit(const std::string& name) {
    llvm::Type* ptr = b_.getPtrTy();
    llvm::Type* i64 = b_.getInt64Ty();
    const size_t first_out = p_.in_place_input >= 0 ? 1 : 0;  // output 0 may have no buffer
    size_t owned = 0;  // outputs with a buffer argument of their own
    for (size_t k = first_out; k < p_.outputs.size(); ++k) owned += shares_buffer(k) ? 0 : 1;
    const size_t nbuf = nin_ + owned;
    std::vector<llvm::Type*> params(nbuf, ptr);
    params.push_back(i64);
    params.push_back(i64);
    fn_ = llvm::Function::Create(llvm::FunctionType::get(b_.getVoidTy(), params, false),
                                 llvm::Function::InternalLinkage, name + "_body", m_);
    for (unsigned k = 0; k < nbuf; ++k) fn_->addParamAttr(k, llvm::Attribute::NoAlias);
    for (size_t k = 0, arg = nin_; k < p_.outputs.size(); ++k) {
      if (k < first_out) {
        out_.push_back(fn_->getArg(static_cast<unsigned>(p_.in_place_input)));
      } else if (shares_buffer(k)) {
        out_.push_back(out_[static_cast<size_t>(p_.stores[k].into)]);
      } else {
        out_.push_back(fn_->getArg(static_cast<unsigned>(arg++)));
      }
    }
    b_.SetInsertPoint(llvm::BasicBlock::Create(c_, "entry", fn_));
    scalar_.assign(nin_ + p_.ops.size(), nullptr);
    for (size_t k = 0; k < nin_; ++k) {
      if (level_[k] == kUniform) scalar_[k] = load(k, b_.getInt64(0), 1);
    }
    llvm::Value* begin = fn_->getArg(static_cast<unsigned>(nbuf));
    llvm::Value* end = fn_->getArg(static_cast<unsigned>(nbuf + 1));
    auto* work = llvm::BasicBlock::Create(c_, "work", fn_);
    auto* exit = llvm::BasicBlock::Create(c_, "exit", fn_);
    b_.CreateCondBr(b_.CreateICmpSLT(begin, end), work, exit);
    b_.SetInsertPoint(work);
    if (p_.reduced == 0) {
      emit_row_ops(0);  // operations on scalars only
      loop(
          begin, end, 1, {},
          [&](llvm::Value* i, const Values&) {
            offset_.assign(nin_, nullptr);
            // Every value before any store: output 0 may be written over an input.
            Lanes at{1, i, {}};
            Values results;
            for (int id : p_.outputs) results.push_back(element(id, at));
            for (size_t k = 0; k < p_.outputs.size(); ++k) {
              llvm::Value* at = i;
              if (remapped(k)) {
                at = b_.CreateAdd(apply_terms(p_.stores[k].outer, i),
                                  b_.getInt64(p_.stores[k].offset));
              }
              store(k, at, results[k]);
            }
            return Values{};
          },
          calls_functions());
    } else {
      begin_ = begin;
      end_ = end;
      make_tiles();
      loop(begin, end, 1, {}, [&](llvm::Value* o, const Values&) {
        emit_row(o);
        return Values{};
      });
    }
    b_.CreateBr(exit);
    b_.SetInsertPoint(exit);
    b_.CreateRetVoid();

    auto* outer =
        llvm::Function::Create(llvm::FunctionType::get(b_.getVoidTy(), {ptr, i64, i64}, false),
                               llvm::Function::ExternalLinkage, name, m_);
    b_.SetInsertPoint(llvm::BasicBlock::Create(c_, "entry", outer));
    Values args;
    for (size_t k = 0; k < nbuf; ++k) {
      args.push_back(b_.CreateLoad(ptr, b_.CreateConstInBoundsGEP1_64(ptr, outer->getArg(0), k)));
    }
    args.push_back(outer->getArg(1));
    args.push_back(outer->getArg(2));
    b_.CreateCall(fn_, args);
    b_.CreateRetVoid();
  }

 private:
  // Where element values are computed: `width` consecutive elements from `index` (the element
  // index of a flat program, the index within the row of a row program), memoised.
  struct Lanes {
    unsigned width;
    llvm::Value* index;
    std::vector<llvm::Value*> memo;
    llvm::Value* flat = nullptr;  // the elements' indices in the loop's shape, made on demand
  };

  // Lane offsets 0, 1, ..., width - 1 added to a scalar index.
  llvm::Value* lanes_from(llvm::Value* i, unsigned width) {
    if (width == 1) return i;
    std::vector<llvm::Constant*> lanes;
    for (unsigned j = 0; j < width; ++j) lanes.push_back(b_.getInt64(j));
    return b_.CreateAdd(splat(i, width), llvm::ConstantVector::get(lanes));
  }

  llvm::Value* flat_index(Lanes& at) {
    if (at.flat == nullptr) {
      llvm::Value* i = p_.reduced == 0 ? at.index : b_.CreateAdd(row_start_, at.index);
      at.flat = lanes_from(i, at.width);
    }
    return at.flat;
  }

  DType dtype_of(int id) const {
    const auto k = static_cast<size_t>(id);
    return k < nin_ ? p_.inputs[k].dtype : p_.ops[k - nin_].dtype;
  }

  // for (i = start; i < stop; i += step) carried = body(i, carried), for a loop that runs at
  // least once; returns the carried values after it.
  Values loop(llvm::Value* start, llvm::Value* stop, int64_t step, const Values& init,
              const std::function<Values(llvm::Value*, const Values&)>& body,
              bool vectorize = false) {
    llvm::BasicBlock* pre = b_.GetInsertBlock();
    auto* header = llvm::BasicBlock::Create(c_, "loop", fn_);
    auto* after = llvm::BasicBlock::Create(c_, "after", fn_);
    b_.CreateBr(header);
    b_.SetInsertPoint(header);
    llvm::PHINode* i = b_.CreatePHI(b_.getInt64Ty(), 2);
    i->addIncoming(start, pre);
    std::vector<llvm::PHINode*> phis;
    Values carried;
    for (llvm::Value* v : init) {
      phis.push_back(b_.CreatePHI(v->getType(), 2));
      phis.back()->addIncoming(v, pre);
      carried.push_back(phis.back());
    }
    Values next = body(i, carried);
    llvm::BasicBlock* latch = b_.GetInsertBlock();
    llvm::Value* i_next = b_.CreateAdd(i, b_.getInt64(step), "", /*HasNUW=*/true, /*HasNSW=*/true);
    i->addIncoming(i_next, latch);
    for (size_t k = 0; k < phis.size(); ++k) phis[k]->addIncoming(next[k], latch);
    llvm::BranchInst* back = b_.CreateCondBr(b_.CreateICmpSLT(i_next, stop), header, after);
    if (vectorize) {
      // The vectoriser's cost model sees an elementary function as a plain call and may keep
      // the loop scalar (with gathers for remapped reads, say), but the scalar entry runs a
      // whole block of lanes per element: vector calls are always the cheaper.
      llvm::Metadata* enable[] = {llvm::MDString::get(c_, "llvm.loop.vectorize.enable"),
                                  llvm::ConstantAsMetadata::get(b_.getTrue())};
      llvm::Metadata* ops[] = {nullptr, llvm::MDNode::get(c_, enable)};
      llvm::MDNode* id = llvm::MDNode::getDistinct(c_, ops);
      id->replaceOperandWith(0, id);
      back->setMetadata(llvm::LLVMContext::MD_loop, id);
    }
    b_.SetInsertPoint(after);
    return next;
  }

  // Whether the program calls elementary functions (their loops are vectorised regardless).
  bool calls_functions() const {
    return std::any_of(p_.ops.begin(), p_.ops.end(),
                       [](const LoopProgram::Op& op) { return elementary_function(op.prim); });
  }

  llvm::Value* splat(llvm::Value* v, unsigned width) {
    return width == 1 ? v : b_.CreateVectorSplat(width, v);
  }

  // sum over terms of ((i / divide) % modulo) * stride, for a scalar or vector index i.
  llvm::Value* apply_terms(const std::vector<Term>& terms, llvm::Value* i) {
    llvm::Type* t = i->getType();
    llvm::Value* index = nullptr;
    for (const Term& term : terms) {
      // Division by a constant becomes multiply-and-shift.
      llvm::Value* v =
          term.divide > 1 ? b_.CreateUDiv(i, llvm::ConstantInt::get(t, term.divide)) : i;
      if (term.modulo > 0) v = b_.CreateURem(v, llvm::ConstantInt::get(t, term.modulo));
      if (term.stride != 1) v = b_.CreateMul(v, llvm::ConstantInt::get(t, term.stride));
      index = index == nullptr ? v : b_.CreateAdd(index, v);
    }
    return index == nullptr ? i : index;
  }

  // `width` elements of input k at element offset `at` (scalar: consecutive elements; vector:
  // a gather of those offsets).
  llvm::Value* load(size_t k, llvm::Value* at, unsigned width) {
    const DType d = p_.inputs[k].dtype;
    if (p_.inputs[k].offset != 0) {
      at = b_.CreateAdd(at, llvm::ConstantInt::get(at->getType(), p_.inputs[k].offset));
    }
    llvm::Type* t = scalar_type(c_, d);
    llvm::Value* base = fn_->getArg(static_cast<unsigned>(k));
    llvm::Value* v;
    const llvm::Align align(itemsize(d));
    if (at->getType()->isVectorTy()) {
      llvm::Value* ptrs = b_.CreateInBoundsGEP(t, base, at);
      v = b_.CreateMaskedGather(memory_type(c_, d, width), ptrs, align);
    } else {
      v = b_.CreateAlignedLoad(memory_type(c_, d, width), b_.CreateInBoundsGEP(t, base, at), align);
    }
    if (d != DType::bool_) return v;
    return b_.CreateICmpNE(v, llvm::Constant::getNullValue(v->getType()));
  }

  void store(size_t k, llvm::Value* at, llvm::Value* v) {
    const DType d = dtype_of(p_.outputs[k]);
    if (d == DType::bool_) v = b_.CreateZExt(v, b_.getInt8Ty());
    b_.CreateStore(v, b_.CreateInBoundsGEP(scalar_type(c_, d), out_[k], at));
  }

  // The value `id` at the lanes `at` (per-row and uniform values are splat).
  llvm::Value* element(int id, Lanes& at) {
    const auto k = static_cast<size_t>(id);
    if (level_[k] != kElement) return splat(scalar_[k], at.width);
    if (at.memo.empty()) at.memo.assign(level_.size(), nullptr);
    if (at.memo[k] != nullptr) return at.memo[k];
    llvm::Value* v;
    if (k < nin_) {
      const LoopProgram::Input& in = p_.inputs[k];
      if (p_.reduced == 0) {
        v = load(k, apply_terms(in.outer, at.index), 1);
      } else if (at.width > 1 && contiguous(in.inner)) {
        v = load(k, b_.CreateAdd(offset_[k], at.index), at.width);
      } else {
        llvm::Value* r = lanes_from(at.index, at.width);
        llvm::Value* off = splat(offset_[k], at.width);
        v = load(k, b_.CreateAdd(off, apply_terms(in.inner, r)), at.width);
      }
    } else {
      const LoopProgram::Op& op = p_.ops[k - nin_];
      Values x;
      for (int o : op.operands) x.push_back(element(o, at));
      v = op.prim == Prim::random_bits ? random_bits(op, x, flat_index(at))
                                       : emit_op(b_, m_, op, x, dtype_of(decider(op)), at.width);
    }
    at.memo[k] = v;
    return v;
  }

  // JAX's partitionable threefry bits of element `flat` (prng.cc's partitionable_bits): the
  // counter (0, flat % count) hashed with the key (x[0], x[1]).
  llvm::Value* random_bits(const LoopProgram::Op& op, const Values& x, llvm::Value* flat) {
    llvm::Type* t64 = flat->getType();
    if (op.count > 0) flat = b_.CreateURem(flat, llvm::ConstantInt::get(t64, op.count));
    llvm::Type* t32 = t64->isVectorTy() ? llvm::VectorType::get(b_.getInt32Ty(),
                                                                llvm::cast<llvm::VectorType>(t64))
                                        : static_cast<llvm::Type*>(b_.getInt32Ty());
    auto c = [&](uint32_t v) { return llvm::ConstantInt::get(t32, v); };
    llvm::Value* k1 = x[0];
    llvm::Value* k2 = x[1];
    llvm::Value* ks[3] = {k1, k2, b_.CreateXor(b_.CreateXor(k1, k2), c(0x1BD11BDAu))};
    llvm::Function* rotl = llvm::Intrinsic::getDeclaration(&m_, llvm::Intrinsic::fshl, {t32});
    llvm::Value* x0 = ks[0];
    llvm::Value* x1 = b_.CreateAdd(b_.CreateTrunc(flat, t32), ks[1]);
    constexpr uint32_t kRot[2][4] = {{13, 15, 26, 6}, {17, 29, 16, 24}};
    for (uint32_t i = 0; i < 5; ++i) {
      for (uint32_t r : kRot[i % 2]) {
        x0 = b_.CreateAdd(x0, x1);
        x1 = b_.CreateXor(b_.CreateCall(rotl, {x1, x1, c(r)}), x0);
      }
      x0 = b_.CreateAdd(x0, ks[(i + 1) % 3]);
      x1 = b_.CreateAdd(x1, b_.CreateAdd(ks[(i + 2) % 3], c(i + 1)));
    }
    llvm::Value* bits = b_.CreateXor(x0, x1);
    return op.dtype == DType::uint8
               ? b_.CreateTrunc(bits, value_type(c_, DType::uint8, at_width(t64)))
               : bits;
  }
  static unsigned at_width(llvm::Type* t) {
    return t->isVectorTy() ? llvm::cast<llvm::FixedVectorType>(t)->getNumElements() : 1;
  }

  // Inner terms reading consecutive elements: index r itself within a row.
  bool contiguous(const std::vector<Term>& inner) const {
    return inner.size() == 1 && inner[0].divide == 1 && inner[0].stride == 1 &&
           (inner[0].modulo == 0 || inner[0].modulo >= p_.reduced);
  }

  // The operand whose dtype decides an op's semantics (select_n's predicate is bool).
  static int decider(const LoopProgram::Op& op) {
    return op.prim == Prim::select_n ? op.operands[1] : op.operands[0];
  }

  // The per-row operations of this depth (those on completed reductions' results).
  void emit_row_ops(int depth) {
    for (size_t k = 0; k < p_.ops.size(); ++k) {
      const LoopProgram::Op& op = p_.ops[k];
      if (level_[nin_ + k] != kRow || is_reduce(op.prim) || depth_[nin_ + k] != depth) continue;
      Values x;
      for (int o : op.operands) x.push_back(scalar_[static_cast<size_t>(o)]);
      scalar_[nin_ + k] = emit_op(b_, m_, op, x, dtype_of(decider(op)), 1);
    }
  }

  void emit_row(llvm::Value* o) {
    row_start_ = b_.CreateMul(o, b_.getInt64(p_.reduced));
    offset_.assign(nin_, nullptr);
    for (size_t k = 0; k < nin_; ++k) {
      if (level_[k] == kUniform) continue;
      offset_[k] = apply_terms(p_.inputs[k].outer, o);
      if (level_[k] == kRow) scalar_[k] = load(k, offset_[k], 1);
    }
    emit_row_ops(0);
    for (int depth = 1; depth <= max_depth_; ++depth) {
      // Sibling reductions of one dtype share a pass over the row (float sums of rows longer
      // than a pairwise leaf take their own).
      std::vector<std::vector<size_t>> phases;
      for (size_t k = 0; k < p_.ops.size(); ++k) {
        if (!is_reduce(p_.ops[k].prim) || depth_[nin_ + k] != depth) continue;
        auto same = std::find_if(phases.begin(), phases.end(), [&](const auto& ph) {
          return p_.ops[ph[0]].dtype == p_.ops[k].dtype && !pairwise(k) && !pairwise(ph[0]);
        });
        if (same == phases.end()) {
          phases.push_back({k});
        } else {
          same->push_back(k);
        }
      }
      for (const auto& phase : phases) emit_reductions(phase);
      emit_row_ops(depth);
    }
    const int64_t R = p_.reduced;
    bool per_element = false;
    for (int id : p_.outputs) per_element |= level_[static_cast<size_t>(id)] == kElement;
    // This row's slot in the tiles of remapped outputs.
    llvm::Value* slot = nullptr;
    if (!tiles_.empty()) {
      slot = b_.CreateURem(o, b_.getInt64(kTileRows));
    }
    if (per_element) {
      loop(
          b_.getInt64(0), b_.getInt64(R), 1, {},
          [&](llvm::Value* r, const Values&) {
            Lanes at{1, r, {}};
            llvm::Value* i = b_.CreateAdd(row_start_, r);
            for (size_t k = 0; k < p_.outputs.size(); ++k) {
              if (level_[static_cast<size_t>(p_.outputs[k])] != kElement) continue;
              llvm::Value* v = element(p_.outputs[k], at);
              if (remapped(k)) {
                b_.CreateStore(v, tile_at(k, slot, r));
              } else {
                store(k, i, v);
              }
            }
            return Values{};
          },
          calls_functions());
    }
    for (size_t k = 0; k < p_.outputs.size(); ++k) {
      const auto id = static_cast<size_t>(p_.outputs[k]);
      if (level_[id] != kElement) store(k, o, scalar_[id]);
    }
    if (!tiles_.empty()) flush_tiles(o, slot);
  }

  // Rows gathered before remapped (transposed) stores: the stores of neighbouring rows land
  // side by side (a transpose moving the rows' dimension last writes kTileRows consecutive
  // elements at a time).
  static constexpr int64_t kTileRows = 16;

  bool remapped(size_t k) const { return !p_.stores.empty() && !p_.stores[k].outer.empty(); }
  bool shares_buffer(size_t k) const { return !p_.stores.empty() && p_.stores[k].into >= 0; }

  void make_tiles() {
    tiles_.assign(p_.outputs.size(), nullptr);
    bool any = false;
    llvm::IRBuilder<> entry(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    for (size_t k = 0; k < p_.outputs.size(); ++k) {
      if (!remapped(k)) continue;
      llvm::Type* t = value_type(c_, dtype_of(p_.outputs[k]), 1);
      tiles_[k] = entry.CreateAlloca(
          llvm::ArrayType::get(t, static_cast<uint64_t>(kTileRows * p_.reduced)));
      any = true;
    }
    if (!any) tiles_.clear();
  }

  llvm::Value* tile_at(size_t k, llvm::Value* slot, llvm::Value* r) {
    llvm::Type* t = value_type(c_, dtype_of(p_.outputs[k]), 1);
    llvm::Value* i = b_.CreateAdd(b_.CreateMul(slot, b_.getInt64(p_.reduced)), r);
    return b_.CreateInBoundsGEP(t, tiles_[k], i);
  }

  // Whether whole tiles go out as register-transposed blocks: every remapped output is a
  // non-bool array whose stores advance by one element from row to row.
  bool tiles_transpose_in_registers() const {
    for (size_t k = 0; k < p_.outputs.size(); ++k) {
      if (!remapped(k)) continue;
      const auto& outer = p_.stores[k].outer;
      if (dtype_of(p_.outputs[k]) == DType::bool_ || outer.size() != 1 || outer[0].divide != 1 ||
          outer[0].stride != 1 || outer[0].modulo != 0) {
        return false;
      }
    }
    return true;
  }

  // Elements [r0, r0 + kTileRows) of a whole tile's rows, transposed in registers: row j's
  // vector holds r0.., and after the transpose vector c holds element r0 + c of rows 0..15,
  // stored at once (the rows' places are consecutive).
  void store_block(size_t k, llvm::Value* base, llvm::Value* r0) {
    const DType d = dtype_of(p_.outputs[k]);
    const auto n = static_cast<unsigned>(kTileRows);
    llvm::Type* vec = value_type(c_, d, n);
    const llvm::Align align(itemsize(d));
    std::vector<llvm::Value*> v;
    for (unsigned j = 0; j < n; ++j) {
      v.push_back(b_.CreateAlignedLoad(vec, tile_at(k, b_.getInt64(j), r0), align));
    }
    // Swap the off-diagonal blocks of size s between rows i and i + s, s halving.
    for (unsigned s = n / 2; s >= 1; s /= 2) {
      std::vector<int> low, high;
      for (unsigned l = 0; l < n; ++l) {
        low.push_back(static_cast<int>((l & s) ? n + l - s : l));
        high.push_back(static_cast<int>((l & s) ? n + l : l + s));
      }
      for (unsigned i = 0; i < n; ++i) {
        if (i & s) continue;
        llvm::Value* a = v[i];
        llvm::Value* b = v[i + s];
        v[i] = b_.CreateShuffleVector(a, b, low);
        v[i + s] = b_.CreateShuffleVector(a, b, high);
      }
    }
    for (unsigned c = 0; c < n; ++c) {
      llvm::Value* r = b_.CreateAdd(r0, b_.getInt64(c));
      llvm::Value* at =
          b_.CreateAdd(apply_terms(p_.stores[k].outer, base), apply_terms(p_.stores[k].inner, r));
      b_.CreateAlignedStore(v[c], b_.CreateInBoundsGEP(scalar_type(c_, d), out_[k], at), align);
    }
  }

  // After the last row of a tile (or of this thread's rows): the tile's rows to their places.
  void flush_tiles(llvm::Value* o, llvm::Value* slot) {
    llvm::Value* full = b_.CreateICmpEQ(slot, b_.getInt64(kTileRows - 1));
    llvm::Value* last = b_.CreateICmpEQ(b_.CreateAdd(o, b_.getInt64(1)), end_);
    auto* flush = llvm::BasicBlock::Create(c_, "flush", fn_);
    auto* done = llvm::BasicBlock::Create(c_, "flushed", fn_);
    b_.CreateCondBr(b_.CreateOr(full, last), flush, done);
    b_.SetInsertPoint(flush);
    // Tiles hold aligned blocks of rows (row o in slot o % kTileRows), so that a transposed
    // store of a whole tile fills whole cache lines; a thread's first block may start late.
    llvm::Value* base = b_.CreateSub(o, slot);
    llvm::Value* first_slot =
        b_.CreateSub(b_.CreateSelect(b_.CreateICmpSGT(begin_, base), begin_, base), base);
    // Element r of the tile's rows [from, to) to their places, one by one.
    auto scalar_rows = [&](llvm::Value* r, llvm::Value* from, llvm::Value* to) {
      loop(from, to, 1, {}, [&](llvm::Value* j, const Values&) {
        for (size_t k = 0; k < p_.outputs.size(); ++k) {
          if (!remapped(k)) continue;
          llvm::Value* v =
              b_.CreateLoad(value_type(c_, dtype_of(p_.outputs[k]), 1), tile_at(k, j, r));
          llvm::Value* at = b_.CreateAdd(apply_terms(p_.stores[k].outer, b_.CreateAdd(base, j)),
                                         apply_terms(p_.stores[k].inner, r));
          store(k, at, v);
        }
        return Values{};
      });
    };
    auto* whole = llvm::BasicBlock::Create(c_, "whole_tile", fn_);
    auto* part = llvm::BasicBlock::Create(c_, "part_tile", fn_);
    const bool vectors = tiles_transpose_in_registers();
    b_.CreateCondBr(b_.CreateAnd(b_.getInt1(vectors),
                                 b_.CreateAnd(full, b_.CreateICmpEQ(first_slot, b_.getInt64(0)))),
                    whole, part);
    b_.SetInsertPoint(whole);
    if (vectors) {
      // A whole tile whose rows land side by side: kTileRows x kTileRows blocks transposed in
      // registers, each column stored as one vector.
      const int64_t R = p_.reduced, blocks = R / kTileRows * kTileRows;
      if (blocks > 0) {
        loop(b_.getInt64(0), b_.getInt64(blocks), kTileRows, {},
             [&](llvm::Value* r0, const Values&) {
               for (size_t k = 0; k < p_.outputs.size(); ++k) {
                 if (remapped(k)) store_block(k, base, r0);
               }
               return Values{};
             });
      }
      if (blocks < R) {
        loop(b_.getInt64(blocks), b_.getInt64(R), 1, {}, [&](llvm::Value* r, const Values&) {
          scalar_rows(r, b_.getInt64(0), b_.getInt64(kTileRows));
          return Values{};
        });
      }
    }
    b_.CreateBr(done);
    b_.SetInsertPoint(part);
    loop(b_.getInt64(0), b_.getInt64(p_.reduced), 1, {}, [&](llvm::Value* r, const Values&) {
      scalar_rows(r, first_slot, b_.CreateAdd(slot, b_.getInt64(1)));
      return Values{};
    });
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
  }

  // for (i = start; i < stop; i += step) carried = body(i, carried), for a loop that may not
  // run (bounds known at compile time fold the test away).
  Values guarded_loop(llvm::Value* start, llvm::Value* stop, int64_t step, const Values& init,
                      const std::function<Values(llvm::Value*, const Values&)>& body) {
    llvm::BasicBlock* pre = b_.GetInsertBlock();
    auto* run = llvm::BasicBlock::Create(c_, "run", fn_);
    auto* merge = llvm::BasicBlock::Create(c_, "merge", fn_);
    b_.CreateCondBr(b_.CreateICmpSLT(start, stop), run, merge);
    b_.SetInsertPoint(run);
    Values done = loop(start, stop, step, init, body);
    llvm::BasicBlock* ran = b_.GetInsertBlock();
    b_.CreateBr(merge);
    b_.SetInsertPoint(merge);
    Values out;
    for (size_t k = 0; k < init.size(); ++k) {
      llvm::PHINode* phi = b_.CreatePHI(init[k]->getType(), 2);
      phi->addIncoming(init[k], pre);
      phi->addIncoming(done[k], ran);
      out.push_back(phi);
    }
    return out;
  }

  // The reductions `ops` (all of one dtype) of the row's elements [start, start + length) in
  // cpu::reduce's order: vectors of `lanes` accumulators, their lanes combined (a tree for
  // float sums), then the tail element by element.
  Values reduce_range(const std::vector<size_t>& ops, llvm::Value* start, llvm::Value* length) {
    const DType d = p_.ops[ops[0]].dtype;
    const auto lanes = static_cast<unsigned>(cpu::kReduceLaneBytes / itemsize(d));
    llvm::Value* main_end = b_.CreateAdd(
        start, b_.CreateMul(b_.CreateUDiv(length, b_.getInt64(lanes)), b_.getInt64(lanes)));
    llvm::Value* end = b_.CreateAdd(start, length);
    llvm::Type* vec = value_type(c_, d, lanes);
    Values acc;
    for (size_t k : ops) acc.push_back(identity(vec, p_.ops[k].prim, d));
    // The body taking `width` elements from index r into the accumulators.
    auto take = [&](unsigned width) {
      return [&, width](llvm::Value* r, const Values& carried) {
        Lanes at{width, r, {}};
        Values next;
        for (size_t j = 0; j < ops.size(); ++j) {
          const LoopProgram::Op& op = p_.ops[ops[j]];
          next.push_back(accumulate(b_, op.prim, d, carried[j], element(op.operands[0], at)));
        }
        return next;
      };
    };
    acc = guarded_loop(start, main_end, lanes, acc, take(lanes));
    Values result;
    for (size_t j = 0; j < ops.size(); ++j) {
      const Prim prim = p_.ops[ops[j]].prim;
      llvm::Value* v = acc[j];
      if (prim == Prim::reduce_sum && is_floating(d)) {
        // Float sums: lane j += lane j + w, w halving; lane 0 is the result.
        for (unsigned w = lanes / 2; w > 0; w /= 2) {
          std::vector<int> low, high;
          for (unsigned l = 0; l < w; ++l) {
            low.push_back(static_cast<int>(l));
            high.push_back(static_cast<int>(l + w));
          }
          v = b_.CreateFAdd(b_.CreateShuffleVector(v, low), b_.CreateShuffleVector(v, high));
        }
        v = b_.CreateExtractElement(v, uint64_t{0});
      } else {
        llvm::Value* r = identity(scalar_type(c_, d), prim, d);
        for (unsigned l = 0; l < lanes; ++l) {
          r = accumulate(b_, prim, d, r, b_.CreateExtractElement(v, uint64_t{l}));
        }
        v = r;
      }
      result.push_back(v);
    }
    return guarded_loop(main_end, end, 1, result, take(1));
  }

  // Elements of a leaf of cpu::reduce's pairwise float sums.
  static int64_t pairwise_leaf(DType d) {
    return cpu::kPairwiseLeafVectors * (cpu::kReduceLaneBytes / static_cast<int64_t>(itemsize(d)));
  }
  // Whether op k is a float sum of rows longer than one pairwise leaf.
  bool pairwise(size_t k) const {
    const DType d = p_.ops[k].dtype;
    return p_.ops[k].prim == Prim::reduce_sum && is_floating(d) && p_.reduced > pairwise_leaf(d);
  }

  // One pass over the row computing the reductions `ops` (all of one dtype).
  void emit_reductions(const std::vector<size_t>& ops) {
    if (ops.size() == 1 && pairwise(ops[0])) {
      emit_pairwise_sum(ops[0], pairwise_leaf(p_.ops[ops[0]].dtype));
      return;
    }
    Values result = reduce_range(ops, b_.getInt64(0), b_.getInt64(p_.reduced));
    for (size_t j = 0; j < ops.size(); ++j) scalar_[nin_ + ops[j]] = result[j];
  }

  // A float sum of rows longer than one leaf, pairwise as cpu::reduce's pairwise_sum: the rows
  // split in halves (the first a multiple of the lanes) down to leaves, each leaf reduced as
  // above (a loop over a table of leaves), the leaves' sums added up the same tree.
  void emit_pairwise_sum(size_t k, int64_t leaf) {
    const DType d = p_.ops[k].dtype;
    const int64_t lanes = cpu::kReduceLaneBytes / itemsize(d);
    std::vector<int64_t> starts, lengths;
    // The tree, its leaves in order (each a slice of the row) and its inner nodes' children.
    struct Node {
      int left = -1, right = -1, leaf = -1;
    };
    std::vector<Node> nodes;
    std::function<int(int64_t, int64_t)> split = [&](int64_t start, int64_t n) {
      const int id = static_cast<int>(nodes.size());
      nodes.emplace_back();
      if (n <= leaf) {
        nodes[static_cast<size_t>(id)].leaf = static_cast<int>(starts.size());
        starts.push_back(start);
        lengths.push_back(n);
        return id;
      }
      const int64_t half = (n / 2) / lanes * lanes;
      const int left = split(start, half);
      const int right = split(start + half, n - half);
      nodes[static_cast<size_t>(id)].left = left;
      nodes[static_cast<size_t>(id)].right = right;
      return id;
    };
    const int root = split(0, p_.reduced);
    const auto count = static_cast<uint64_t>(starts.size());
    auto table = [&](const std::vector<int64_t>& v, const char* name) {
      auto* type = llvm::ArrayType::get(b_.getInt64Ty(), count);
      std::vector<llvm::Constant*> items;
      for (int64_t x : v) items.push_back(b_.getInt64(static_cast<uint64_t>(x)));
      return new llvm::GlobalVariable(m_, type, true, llvm::GlobalValue::PrivateLinkage,
                                      llvm::ConstantArray::get(type, items), name);
    };
    llvm::GlobalVariable* start_table = table(starts, "leaf_starts");
    llvm::GlobalVariable* length_table = table(lengths, "leaf_lengths");
    // The leaves' sums: a stack array made once, in the function's entry block.
    llvm::Type* t = scalar_type(c_, d);
    llvm::Type* sums_type = llvm::ArrayType::get(t, count);
    llvm::IRBuilder<> entry(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    llvm::Value* sums = entry.CreateAlloca(sums_type);
    loop(b_.getInt64(0), b_.getInt64(static_cast<int64_t>(count)), 1, {},
         [&](llvm::Value* i, const Values&) {
           auto at = [&](llvm::Type* type, llvm::Value* base) {
             return b_.CreateInBoundsGEP(type, base, {b_.getInt64(0), i});
           };
           llvm::Value* start =
               b_.CreateLoad(b_.getInt64Ty(), at(start_table->getValueType(), start_table));
           llvm::Value* length =
               b_.CreateLoad(b_.getInt64Ty(), at(length_table->getValueType(), length_table));
           b_.CreateStore(reduce_range({k}, start, length)[0], at(sums_type, sums));
           return Values{};
         });
    std::function<llvm::Value*(int)> value = [&](int id) -> llvm::Value* {
      const Node& node = nodes[static_cast<size_t>(id)];
      if (node.leaf >= 0) {
        return b_.CreateLoad(
            t, b_.CreateInBoundsGEP(sums_type, sums, {b_.getInt64(0), b_.getInt64(node.leaf)}));
      }
      llvm::Value* l = value(node.left);
      return b_.CreateFAdd(l, value(node.right));
    };
    scalar_[nin_ + k] = value(root);
  }

  const LoopProgram& p_;
  llvm::Module& m_;
  llvm::LLVMContext& c_;
  llvm::IRBuilder<> b_;
  llvm::Function* fn_ = nullptr;
  size_t nin_;
  std::vector<Level> level_;
  std::vector<int> depth_;
  int max_depth_ = 0;
  Values out_;
  Values scalar_;                     // uniform and per-row values (of the current row)
  Values offset_;                     // per input: its offset at the current row (row programs)
  llvm::Value* row_start_ = nullptr;  // the current row's first element (row programs)
  llvm::Value* begin_ = nullptr;      // this call's rows (row programs)
  llvm::Value* end_ = nullptr;
  Values tiles_;  // per output: its tile of rows, if its store is remapped
};

}  // namespace

void emit_loop(const LoopProgram& program, llvm::Module& module, const std::string& name) {
  Emitter(program, module).emit(name);
}

}  // namespace jx::compiler
