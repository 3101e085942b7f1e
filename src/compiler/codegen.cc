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
        return b.getInt8Ty();
      default:
        throw std::logic_error("jx codegen: unsupported dtype");
    }
  }

  // A loaded element as the program computes with it (bool: i1).
  static llvm::Value* to_value(llvm::IRBuilder<>& b, llvm::Value* loaded, DType d) {
    return d == DType::bool_ ? b.CreateICmpNE(loaded, b.getInt8(0)) : loaded;
  }

  static llvm::Value* emit_op(llvm::IRBuilder<>& b, llvm::Module& m, const LoopProgram::Op& op,
                              const std::vector<llvm::Value*>& v) {
    auto x = [&](size_t i) { return v[static_cast<size_t>(op.operands[i])]; };
    auto intrinsic = [&](llvm::Intrinsic::ID id, llvm::Value* a) {
      llvm::Function* f = llvm::Intrinsic::getDeclaration(&m, id, {a->getType()});
      return b.CreateCall(f, {a});
    };
    // max/min as the eager kernels: NaN if either operand is NaN, else x > y ? x : y.
    auto nan_or = [&](llvm::Value* chosen) {
      llvm::Value* nan = llvm::ConstantFP::getQNaN(x(0)->getType());
      return b.CreateSelect(b.CreateFCmpUNO(x(0), x(1)), nan, chosen);
    };
    switch (op.prim) {
      case Prim::add:
        return b.CreateFAdd(x(0), x(1));
      case Prim::sub:
        return b.CreateFSub(x(0), x(1));
      case Prim::mul:
        return b.CreateFMul(x(0), x(1));
      case Prim::div:
        return b.CreateFDiv(x(0), x(1));
      case Prim::neg:
        return b.CreateFNeg(x(0));
      case Prim::abs:
        return intrinsic(llvm::Intrinsic::fabs, x(0));
      case Prim::sqrt:
        return intrinsic(llvm::Intrinsic::sqrt, x(0));
      case Prim::max:
        return nan_or(b.CreateSelect(b.CreateFCmpOGT(x(0), x(1)), x(0), x(1)));
      case Prim::min:
        return nan_or(b.CreateSelect(b.CreateFCmpOLT(x(0), x(1)), x(0), x(1)));
      case Prim::eq:
        return b.CreateFCmpOEQ(x(0), x(1));
      case Prim::ne:
        return b.CreateFCmpUNE(x(0), x(1));
      case Prim::lt:
        return b.CreateFCmpOLT(x(0), x(1));
      case Prim::le:
        return b.CreateFCmpOLE(x(0), x(1));
      case Prim::gt:
        return b.CreateFCmpOGT(x(0), x(1));
      case Prim::ge:
        return b.CreateFCmpOGE(x(0), x(1));
      case Prim::select_n:  // select_n(pred, on_false, on_true)
        return b.CreateSelect(x(0), x(2), x(1));
      case Prim::convert_element_type: {
        llvm::Type* to = element_type(b, op.dtype);
        if (to == x(0)->getType()) return x(0);
        return to->isDoubleTy() ? b.CreateFPExt(x(0), to) : b.CreateFPTrunc(x(0), to);
      }
      default:
        throw std::logic_error("jx codegen: unsupported primitive " +
                               std::string(primitive_name(op.prim)));
    }
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
      llvm::Type* t = element_type(b, p.inputs[k].dtype);
      llvm::Value* at = b.CreateInBoundsGEP(t, body->getArg(static_cast<unsigned>(k)), i);
      values[k] = to_value(b, b.CreateLoad(t, at), p.inputs[k].dtype);
    }
    for (size_t k = 0; k < p.ops.size(); ++k) values[nin + k] = emit_op(b, m, p.ops[k], values);
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
  std::string k = "in";
  for (const Input& in : inputs) {
    k += " " + std::to_string(static_cast<int>(in.dtype)) + (in.scalar ? "s" : "a");
  }
  for (const Op& op : ops) {
    k += "; " + std::string(primitive_name(op.prim)) + ":" +
         std::to_string(static_cast<int>(op.dtype));
    for (int o : op.operands) k += " " + std::to_string(o);
  }
  k += "; out";
  for (int o : outputs) k += " " + std::to_string(o);
  if (in_place_input >= 0) k += "; in place over " + std::to_string(in_place_input);
  return k;
}

bool codegen_supports(Prim p, std::span<const ShapedArray> in, const ShapedArray& out) {
  if (!enabled()) return false;
  auto all_float_like = [&](size_t from) {
    for (size_t i = from; i < in.size(); ++i) {
      if (!is_float(in[i].dtype) || in[i].dtype != in[from].dtype) return false;
    }
    return true;
  };
  switch (p) {
    case Prim::add:
    case Prim::sub:
    case Prim::mul:
    case Prim::div:
    case Prim::max:
    case Prim::min:
      return in.size() == 2 && all_float_like(0) && out.dtype == in[0].dtype;
    case Prim::neg:
    case Prim::abs:
    case Prim::sqrt:
      return in.size() == 1 && is_float(in[0].dtype) && out.dtype == in[0].dtype;
    case Prim::eq:
    case Prim::ne:
    case Prim::lt:
    case Prim::le:
    case Prim::gt:
    case Prim::ge:
      return in.size() == 2 && all_float_like(0) && out.dtype == DType::bool_;
    case Prim::select_n:
      return in.size() == 3 && in[0].dtype == DType::bool_ && all_float_like(1) &&
             out.dtype == in[1].dtype;
    case Prim::convert_element_type:
      return in.size() == 1 && is_float(in[0].dtype) && is_float(out.dtype);
    default:
      return false;
  }
}

void set_codegen_enabled(bool on) { g_enabled = on; }

LoopKernel compile_loop(const LoopProgram& program) { return Backend::get().compile(program); }

int64_t compiled_kernels() { return g_compiled.load(); }

}  // namespace jx::compiler
