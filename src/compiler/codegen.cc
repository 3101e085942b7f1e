#include "compiler/codegen.h"

#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

namespace jx::compiler {
namespace {

std::atomic<bool> g_enabled{[] {
  const char* v = std::getenv("JX_JIT_CODEGEN");
  return v == nullptr || std::string(v) != "0";
}()};

bool enabled() { return g_enabled.load(std::memory_order_relaxed); }

bool is_float(DType d) { return d == DType::float32 || d == DType::float64; }

template <class T>
T check(llvm::Expected<T> value) {
  if (!value) {
    std::string message;
    llvm::raw_string_ostream os(message);
    os << value.takeError();
    throw std::runtime_error("jx codegen: " + os.str());
  }
  return std::move(*value);
}
void check(llvm::Error error) {
  if (error) {
    std::string message;
    llvm::raw_string_ostream os(message);
    os << std::move(error);
    throw std::runtime_error("jx codegen: " + os.str());
  }
}

std::atomic<int64_t> g_compiled{0};

class Backend {
 public:
  static Backend& get() {
    static Backend backend;
    return backend;
  }

  LoopKernel compile(const LoopProgram& program) {
    std::string key = program.key();
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    auto context = std::make_unique<llvm::LLVMContext>();
    auto module = std::make_unique<llvm::Module>("jx_loop", *context);
    module->setDataLayout(target_->createDataLayout());
    module->setTargetTriple(target_->getTargetTriple().str());
    const std::string name = "jx_loop_" + std::to_string(cache_.size());
    emit(program, *module, name);
    if (llvm::verifyModule(*module, &llvm::errs())) {
      throw std::logic_error("jx codegen: invalid IR for loop " + key);
    }
    optimize(*module);
    check(jit_->addIRModule(llvm::orc::ThreadSafeModule(std::move(module), std::move(context))));
    auto kernel = check(jit_->lookup(name)).toPtr<LoopKernel>();
    cache_.emplace(std::move(key), kernel);
    g_compiled.fetch_add(1, std::memory_order_relaxed);
    return kernel;
  }

 private:
  Backend() {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    // The host's CPU and features, detected at run time.
    auto builder = check(llvm::orc::JITTargetMachineBuilder::detectHost());
    builder.setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
    // No FMA contraction: results must equal the eager kernels' separately rounded ops.
    builder.getOptions().AllowFPOpFusion = llvm::FPOpFusion::Strict;
    target_ = check(builder.createTargetMachine());
    jit_ = check(llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(builder)).create());
  }

  void optimize(llvm::Module& module) {
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PipelineTuningOptions options;
    options.LoopVectorization = true;
    options.SLPVectorization = true;
    llvm::PassBuilder passes(target_.get(), options);
    passes.registerModuleAnalyses(mam);
    passes.registerCGSCCAnalyses(cgam);
    passes.registerFunctionAnalyses(fam);
    passes.registerLoopAnalyses(lam);
    passes.crossRegisterProxies(lam, fam, cgam, mam);
    passes.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(module, mam);
  }

  static llvm::Type* element_type(llvm::IRBuilder<>& b, DType d) {
    switch (d) {
      case DType::float32:
        return b.getFloatTy();
      case DType::float64:
        return b.getDoubleTy();
      case DType::bool_:
      case DType::uint8:
        return b.getInt8Ty();
      case DType::int32:
      case DType::uint32:
        return b.getInt32Ty();
      case DType::int64:
        return b.getInt64Ty();
      default:
        throw std::logic_error("jx codegen: unsupported dtype");
    }
  }

  // A loaded element as the program computes with it (bool: i1).
  static llvm::Value* to_value(llvm::IRBuilder<>& b, llvm::Value* loaded, DType d) {
    return d == DType::bool_ ? b.CreateICmpNE(loaded, b.getInt8(0)) : loaded;
  }

  // One operation, with the eager kernels' semantics for its operand dtype (`in`).
  static llvm::Value* emit_op(llvm::IRBuilder<>& b, llvm::Module& m, const LoopProgram::Op& op,
                              const std::vector<llvm::Value*>& v, DType in) {
    auto x = [&](size_t i) { return v[static_cast<size_t>(op.operands[i])]; };
    auto intrinsic = [&](llvm::Intrinsic::ID id, llvm::Value* a) {
      llvm::Function* f = llvm::Intrinsic::getDeclaration(&m, id, {a->getType()});
      return b.CreateCall(f, {a});
    };
    const bool fl = is_floating(in);
    const bool sig = is_signed_integer(in);
    // max/min as the eager kernels: for floats NaN if either operand is NaN, else
    // x > y ? x : y (so max(-0., +0.) is +0.).
    auto choose = [&](bool greater) -> llvm::Value* {
      llvm::Value* pick =
          fl ? (greater ? b.CreateFCmpOGT(x(0), x(1)) : b.CreateFCmpOLT(x(0), x(1)))
             : b.CreateICmp(greater ? (sig ? llvm::CmpInst::ICMP_SGT : llvm::CmpInst::ICMP_UGT)
                                    : (sig ? llvm::CmpInst::ICMP_SLT : llvm::CmpInst::ICMP_ULT),
                            x(0), x(1));
      llvm::Value* chosen = b.CreateSelect(pick, x(0), x(1));
      if (!fl) return chosen;
      llvm::Value* nan = llvm::ConstantFP::getQNaN(x(0)->getType());
      return b.CreateSelect(b.CreateFCmpUNO(x(0), x(1)), nan, chosen);
    };
    auto compare = [&](llvm::CmpInst::Predicate f, llvm::CmpInst::Predicate s_,
                       llvm::CmpInst::Predicate u) {
      return fl ? b.CreateFCmp(f, x(0), x(1)) : b.CreateICmp(sig ? s_ : u, x(0), x(1));
    };
    // XLA's shifts: an amount of at least the bit width gives 0 (logical) or the sign
    // (arithmetic, clamped to width - 1).
    auto shift = [&](llvm::Instruction::BinaryOps kind) -> llvm::Value* {
      auto* type = llvm::cast<llvm::IntegerType>(x(0)->getType());
      llvm::Value* width = llvm::ConstantInt::get(type, type->getBitWidth());
      llvm::Value* too_far = b.CreateICmpUGE(x(1), width);
      if (kind == llvm::Instruction::AShr) {
        llvm::Value* amount =
            b.CreateSelect(too_far, llvm::ConstantInt::get(type, type->getBitWidth() - 1), x(1));
        return b.CreateAShr(x(0), amount);
      }
      llvm::Value* safe = b.CreateSelect(too_far, llvm::ConstantInt::get(type, 0), x(1));
      return b.CreateSelect(too_far, llvm::ConstantInt::get(type, 0),
                            b.CreateBinOp(kind, x(0), safe));
    };
    using P = llvm::CmpInst;
    switch (op.prim) {
      case Prim::add:
        return fl ? b.CreateFAdd(x(0), x(1)) : b.CreateAdd(x(0), x(1));
      case Prim::sub:
        return fl ? b.CreateFSub(x(0), x(1)) : b.CreateSub(x(0), x(1));
      case Prim::mul:
        return fl ? b.CreateFMul(x(0), x(1)) : b.CreateMul(x(0), x(1));
      case Prim::div:
        return b.CreateFDiv(x(0), x(1));
      case Prim::neg:
        return fl ? b.CreateFNeg(x(0)) : b.CreateNeg(x(0));
      case Prim::abs:
        return intrinsic(llvm::Intrinsic::fabs, x(0));
      case Prim::sqrt:
        return intrinsic(llvm::Intrinsic::sqrt, x(0));
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
        return b.CreateAnd(x(0), x(1));
      case Prim::or_:
        return b.CreateOr(x(0), x(1));
      case Prim::xor_:
        return b.CreateXor(x(0), x(1));
      case Prim::not_:
        return b.CreateNot(x(0));
      case Prim::shift_left:
        return shift(llvm::Instruction::Shl);
      case Prim::shift_right_logical:
        return shift(llvm::Instruction::LShr);
      case Prim::shift_right_arithmetic:
        return shift(llvm::Instruction::AShr);
      case Prim::select_n:  // select_n(pred, on_false, on_true)
        return b.CreateSelect(x(0), x(2), x(1));
      case Prim::bitcast_convert_type:
        return b.CreateBitCast(x(0), element_type(b, op.dtype));
      case Prim::convert_element_type:
        return convert(b, x(0), in, op.dtype);
      default:
        throw std::logic_error("jx codegen: unsupported primitive " +
                               std::string(primitive_name(op.prim)));
    }
  }

  // static_cast<To>(from) as the eager kernel computes it (bool values are i1 here).
  static llvm::Value* convert(llvm::IRBuilder<>& b, llvm::Value* v, DType from, DType to) {
    if (to == DType::bool_) {
      if (from == DType::bool_) return v;
      return is_floating(from) ? b.CreateFCmpUNE(v, llvm::ConstantFP::get(v->getType(), 0.0))
                               : b.CreateICmpNE(v, llvm::ConstantInt::get(v->getType(), 0));
    }
    llvm::Type* t = element_type(b, to);
    if (is_floating(to)) {
      if (is_floating(from)) return b.CreateFPCast(v, t);
      if (from == DType::bool_ || is_unsigned_integer(from)) return b.CreateUIToFP(v, t);
      return b.CreateSIToFP(v, t);
    }
    // to an integer, from bool or an integer (float -> integer is not generated).
    if (from == DType::bool_) return b.CreateZExt(v, t);
    return b.CreateIntCast(v, t, is_signed_integer(from));
  }

  // `name`(void** buffers, i64 begin, i64 end) calls a body taking every buffer as a noalias
  // pointer (outputs are distinct buffers; an output written in place over an input goes
  // through that input's pointer), so the loop vectorises without runtime overlap checks.
  static void emit(const LoopProgram& p, llvm::Module& m, const std::string& name) {
    llvm::LLVMContext& c = m.getContext();
    llvm::IRBuilder<> b(c);
    llvm::Type* ptr = b.getPtrTy();
    llvm::Type* i64 = b.getInt64Ty();
    const size_t nin = p.inputs.size();
    const size_t first_out = p.in_place_input >= 0 ? 1 : 0;  // output 0 may have no buffer
    const size_t nbuf = nin + p.outputs.size() - first_out;
    std::vector<llvm::Type*> params(nbuf, ptr);
    params.push_back(i64);
    params.push_back(i64);
    auto* body = llvm::Function::Create(llvm::FunctionType::get(b.getVoidTy(), params, false),
                                        llvm::Function::InternalLinkage, name + "_body", m);
    for (unsigned k = 0; k < nbuf; ++k) body->addParamAttr(k, llvm::Attribute::NoAlias);
    auto* entry = llvm::BasicBlock::Create(c, "entry", body);
    auto* loop = llvm::BasicBlock::Create(c, "loop", body);
    auto* exit = llvm::BasicBlock::Create(c, "exit", body);
    b.SetInsertPoint(entry);
    std::vector<llvm::Value*> values(nin + p.ops.size(), nullptr);
    for (size_t k = 0; k < nin; ++k) {
      if (!p.inputs[k].scalar) continue;
      llvm::Type* t = element_type(b, p.inputs[k].dtype);
      values[k] =
          to_value(b, b.CreateLoad(t, body->getArg(static_cast<unsigned>(k))), p.inputs[k].dtype);
    }
    llvm::Value* begin = body->getArg(static_cast<unsigned>(nbuf));
    llvm::Value* end = body->getArg(static_cast<unsigned>(nbuf + 1));
    b.CreateCondBr(b.CreateICmpSLT(begin, end), loop, exit);
    b.SetInsertPoint(loop);
    llvm::PHINode* i = b.CreatePHI(i64, 2);
    i->addIncoming(begin, entry);
    for (size_t k = 0; k < nin; ++k) {
      if (p.inputs[k].scalar) continue;
      const LoopProgram::Input& in = p.inputs[k];
      llvm::Type* t = element_type(b, in.dtype);
      // Division by a constant becomes multiply-and-shift: the loop still vectorises.
      llvm::Value* index = i;
      if (!in.broadcast.empty()) {
        index = b.getInt64(0);
        for (const LoopProgram::Input::Term& t : in.broadcast) {
          llvm::Value* v = t.divide > 1 ? b.CreateUDiv(i, b.getInt64(t.divide)) : i;
          if (t.modulo > 0) v = b.CreateURem(v, b.getInt64(t.modulo));
          if (t.stride != 1) v = b.CreateMul(v, b.getInt64(t.stride));
          index = b.CreateAdd(index, v);
        }
      }
      llvm::Value* at = b.CreateInBoundsGEP(t, body->getArg(static_cast<unsigned>(k)), index);
      values[k] = to_value(b, b.CreateLoad(t, at), in.dtype);
    }
    auto dtype_of_value = [&](int id) {
      return static_cast<size_t>(id) < nin ? p.inputs[static_cast<size_t>(id)].dtype
                                           : p.ops[static_cast<size_t>(id) - nin].dtype;
    };
    for (size_t k = 0; k < p.ops.size(); ++k) {
      const LoopProgram::Op& op = p.ops[k];
      // The operand whose dtype decides the semantics (select_n's predicate is bool).
      const int decider = op.prim == Prim::select_n ? op.operands[1] : op.operands[0];
      values[nin + k] = emit_op(b, m, op, values, dtype_of_value(decider));
    }
    for (size_t k = 0; k < p.outputs.size(); ++k) {
      const int id = p.outputs[k];
      const DType d = static_cast<size_t>(id) < nin ? p.inputs[static_cast<size_t>(id)].dtype
                                                    : p.ops[static_cast<size_t>(id) - nin].dtype;
      llvm::Value* out = values[static_cast<size_t>(id)];
      if (d == DType::bool_) out = b.CreateZExt(out, b.getInt8Ty());
      llvm::Value* base = k < first_out ? body->getArg(static_cast<unsigned>(p.in_place_input))
                                        : body->getArg(static_cast<unsigned>(nin + k - first_out));
      b.CreateStore(out, b.CreateInBoundsGEP(element_type(b, d), base, i));
    }
    llvm::Value* next = b.CreateAdd(i, b.getInt64(1), "", /*HasNUW=*/true, /*HasNSW=*/true);
    i->addIncoming(next, loop);
    b.CreateCondBr(b.CreateICmpSLT(next, end), loop, exit);
    b.SetInsertPoint(exit);
    b.CreateRetVoid();

    auto* outer =
        llvm::Function::Create(llvm::FunctionType::get(b.getVoidTy(), {ptr, i64, i64}, false),
                               llvm::Function::ExternalLinkage, name, m);
    b.SetInsertPoint(llvm::BasicBlock::Create(c, "entry", outer));
    std::vector<llvm::Value*> args;
    for (size_t k = 0; k < nbuf; ++k) {
      args.push_back(b.CreateLoad(ptr, b.CreateConstInBoundsGEP1_64(ptr, outer->getArg(0), k)));
    }
    args.push_back(outer->getArg(1));
    args.push_back(outer->getArg(2));
    b.CreateCall(body, args);
    b.CreateRetVoid();
  }

  std::mutex mu_;
  std::unique_ptr<llvm::TargetMachine> target_;
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  std::unordered_map<std::string, LoopKernel> cache_;
};

}  // namespace

std::string LoopProgram::key() const {
  // Appended piece by piece (GCC 12 misreads `" " + std::string` temporaries, -Wrestrict).
  std::string k = "in";
  for (const Input& in : inputs) {
    k += ' ';
    k += std::to_string(static_cast<int>(in.dtype));
    k += in.scalar ? 's' : 'a';
    for (const Input::Term& t : in.broadcast) {
      k += '[';
      k += std::to_string(t.divide);
      k += '%';
      k += std::to_string(t.modulo);
      k += '*';
      k += std::to_string(t.stride);
      k += ']';
    }
  }
  for (const Op& op : ops) {
    k += "; ";
    k += primitive_name(op.prim);
    k += ':';
    k += std::to_string(static_cast<int>(op.dtype));
    for (int o : op.operands) {
      k += ' ';
      k += std::to_string(o);
    }
  }
  k += "; out";
  for (int o : outputs) {
    k += ' ';
    k += std::to_string(o);
  }
  if (in_place_input >= 0) {
    k += "; in place over ";
    k += std::to_string(in_place_input);
  }
  return k;
}

bool codegen_supports(Prim p, std::span<const ShapedArray> in, const ShapedArray& out) {
  if (!enabled() || in.empty()) return false;
  auto same = [&](size_t from) {
    for (size_t i = from; i < in.size(); ++i) {
      if (in[i].dtype != in[from].dtype) return false;
    }
    return true;
  };
  const DType d = in[0].dtype;
  const bool fl = is_float(d), integer = is_integer(d), boolean = d == DType::bool_;
  switch (p) {
    case Prim::add:
    case Prim::sub:
    case Prim::mul:
    case Prim::max:
    case Prim::min:
      return in.size() == 2 && same(0) && (fl || integer) && out.dtype == d;
    case Prim::div:
    case Prim::sqrt:
    case Prim::abs:
      return (in.size() == (p == Prim::div ? 2u : 1u)) && same(0) && fl && out.dtype == d;
    case Prim::neg:
      return in.size() == 1 && (fl || integer) && out.dtype == d;
    case Prim::eq:
    case Prim::ne:
    case Prim::lt:
    case Prim::le:
    case Prim::gt:
    case Prim::ge:
      return in.size() == 2 && same(0) && (fl || integer) && out.dtype == DType::bool_;
    case Prim::and_:
    case Prim::or_:
    case Prim::xor_:
      return in.size() == 2 && same(0) && (integer || boolean) && out.dtype == d;
    case Prim::not_:
      return in.size() == 1 && (integer || boolean) && out.dtype == d;
    case Prim::shift_left:
    case Prim::shift_right_logical:
    case Prim::shift_right_arithmetic:
      return in.size() == 2 && same(0) && integer && out.dtype == d;
    case Prim::select_n:
      return in.size() == 3 && d == DType::bool_ && same(1) &&
             (is_float(in[1].dtype) || is_integer(in[1].dtype)) && out.dtype == in[1].dtype;
    case Prim::convert_element_type:
      // Not float -> integer (out-of-range values are the kernel's business).
      return in.size() == 1 && (fl || integer || boolean) &&
             (is_float(out.dtype) || out.dtype == DType::bool_ || (!fl && is_integer(out.dtype)));
    case Prim::bitcast_convert_type:
      return in.size() == 1 && (fl || integer) && (is_float(out.dtype) || is_integer(out.dtype)) &&
             itemsize(d) == itemsize(out.dtype);
    default:
      return false;
  }
}

bool codegen_loads(DType d) {
  return enabled() && (is_float(d) || is_integer(d) || d == DType::bool_);
}

void set_codegen_enabled(bool on) { g_enabled = on; }

LoopKernel compile_loop(const LoopProgram& program) { return Backend::get().compile(program); }

int64_t compiled_kernels() { return g_compiled.load(); }

}  // namespace jx::compiler
