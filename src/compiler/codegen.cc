#include "compiler/codegen.h"

#include "backend/cpu/reduce_kernels.h"
#include "backend/cpu/vector_math.h"
#include "compiler/loop_emitter.h"

#include <llvm/ExecutionEngine/Orc/Core.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/FileSystem.h>
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
    const std::string name = "jx_loop_" + std::to_string(serial_++);
    emit_loop(program, *module, name);
    if (llvm::verifyModule(*module, &llvm::errs())) {
      throw std::logic_error("jx codegen: invalid IR for loop " + key);
    }
    optimize(*module);
    if (const char* path = std::getenv("JX_JIT_DUMP")) dump(*module, key, path);
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
    // The elementary functions generated loops call: the eager kernels' own (vector_math.h).
    llvm::orc::SymbolMap symbols;
    for (const cpu::MathSymbol& s : cpu::math_symbols()) {
      symbols[jit_->mangleAndIntern(s.name)] = {
          llvm::orc::ExecutorAddr::fromPtr(s.address),
          llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
    }
    for (const cpu::ScalarMathSymbol& s : cpu::scalar_math_symbols()) {
      symbols[jit_->mangleAndIntern(s.name)] = {
          llvm::orc::ExecutorAddr::fromPtr(s.address),
          llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
    }
    check(jit_->getMainJITDylib().define(llvm::orc::absoluteSymbols(std::move(symbols))));
  }

  // Appends the optimised IR of a kernel to the file `path` (JX_JIT_DUMP: for reading what
  // the vectoriser made of a loop).
  static void dump(const llvm::Module& module, const std::string& key, const char* path) {
    std::error_code error;
    llvm::raw_fd_ostream os(path, error, llvm::sys::fs::OF_Append);
    if (error) return;
    os << "; " << key << "\n";
    module.print(os, nullptr);
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

  std::mutex mu_;
  std::unique_ptr<llvm::TargetMachine> target_;
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  std::unordered_map<std::string, LoopKernel> cache_;
  int64_t serial_ = 0;  // names every kernel ever made apart

 public:
  void forget() {
    std::lock_guard<std::mutex> lock(mu_);
    cache_.clear();
  }
};

}  // namespace

namespace {

void append_terms(std::string& k, const std::vector<LoopProgram::Input::Term>& outer,
                  const std::vector<LoopProgram::Input::Term>& inner) {
  for (const auto* terms : {&outer, &inner}) {
    k += terms == &inner ? "|" : "";
    for (const LoopProgram::Input::Term& t : *terms) {
      k += '[';
      k += std::to_string(t.divide);
      k += '%';
      k += std::to_string(t.modulo);
      k += '*';
      k += std::to_string(t.stride);
      k += ']';
    }
  }
}

}  // namespace

std::string LoopProgram::key() const {
  // Appended piece by piece (GCC 12 misreads `" " + std::string` temporaries, -Wrestrict).
  std::string k = "in";
  for (const Input& in : inputs) {
    k += ' ';
    k += std::to_string(static_cast<int>(in.dtype));
    k += in.scalar ? 's' : 'a';
    if (in.offset != 0) {
      k += '+';
      k += std::to_string(in.offset);
    }
    append_terms(k, in.outer, in.inner);
  }
  if (reduced > 0) {
    k += "; rows of ";
    k += std::to_string(reduced);
  }
  for (const Op& op : ops) {
    k += "; ";
    k += primitive_name(op.prim);
    k += ':';
    k += std::to_string(static_cast<int>(op.dtype));
    if (op.count != 0) {
      k += '/';
      k += std::to_string(op.count);
    }
    for (int o : op.operands) {
      k += ' ';
      k += std::to_string(o);
    }
  }
  k += "; out";
  for (size_t o = 0; o < outputs.size(); ++o) {
    k += ' ';
    k += std::to_string(outputs[o]);
    if (stores.empty()) continue;
    append_terms(k, stores[o].outer, stores[o].inner);
    k += '+';
    k += std::to_string(stores[o].offset);
    k += '>';
    k += std::to_string(stores[o].into);
  }
  if (in_place_input >= 0) {
    k += "; in place over ";
    k += std::to_string(in_place_input);
  }
  return k;
}

std::optional<cpu::MathFn> elementary_function(Prim p) {
  switch (p) {
    case Prim::exp:
      return cpu::MathFn::kExp;
    case Prim::log:
      return cpu::MathFn::kLog;
    case Prim::log1p:
      return cpu::MathFn::kLog1p;
    case Prim::expm1:
      return cpu::MathFn::kExpm1;
    case Prim::sin:
      return cpu::MathFn::kSin;
    case Prim::cos:
      return cpu::MathFn::kCos;
    case Prim::tanh:
      return cpu::MathFn::kTanh;
    case Prim::logistic:
      return cpu::MathFn::kLogistic;
    default:
      return std::nullopt;
  }
}

std::optional<ScalarFunction> scalar_function(Prim p) {
  switch (p) {
#define JX_SCALAR(PRIM, NAME, ARITY) \
  case Prim::PRIM:                   \
    return ScalarFunction{NAME, ARITY};
    JX_SCALAR(exp2, "exp2", 1)
    JX_SCALAR(cbrt, "cbrt", 1)
    JX_SCALAR(tan, "tan", 1)
    JX_SCALAR(asin, "asin", 1)
    JX_SCALAR(acos, "acos", 1)
    JX_SCALAR(atan, "atan", 1)
    JX_SCALAR(sinh, "sinh", 1)
    JX_SCALAR(cosh, "cosh", 1)
    JX_SCALAR(asinh, "asinh", 1)
    JX_SCALAR(acosh, "acosh", 1)
    JX_SCALAR(atanh, "atanh", 1)
    JX_SCALAR(erf, "erf", 1)
    JX_SCALAR(erfc, "erfc", 1)
    JX_SCALAR(erf_inv, "erf_inv", 1)
    JX_SCALAR(lgamma, "lgamma", 1)
    JX_SCALAR(digamma, "digamma", 1)
    JX_SCALAR(pow, "pow", 2)
    JX_SCALAR(atan2, "atan2", 2)
    JX_SCALAR(nextafter, "nextafter", 2)
    JX_SCALAR(rem, "fmod", 2)  // float operands only (codegen_supports)
#undef JX_SCALAR
    default:
      return std::nullopt;
  }
}

bool codegen_supports(Prim p, std::span<const ShapedArray> in, const ShapedArray& out) {
  if (!enabled() || in.empty()) return false;
  if (elementary_function(p)) {
    return in.size() == 1 && is_float(in[0].dtype) && out.dtype == in[0].dtype;
  }
  if (auto f = scalar_function(p)) {
    for (const ShapedArray& a : in) {
      if (a.dtype != out.dtype) return false;
    }
    return static_cast<int>(in.size()) == f->arity && is_float(out.dtype);
  }
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
    case Prim::rsqrt:
    case Prim::abs:
    case Prim::floor:
    case Prim::ceil:
      return (in.size() == (p == Prim::div ? 2u : 1u)) && same(0) && fl && out.dtype == d;
    case Prim::sign:
      return in.size() == 1 && (fl || integer) && out.dtype == d;
    case Prim::clamp:
      return in.size() == 3 && same(0) && (fl || integer) && out.dtype == d;
    case Prim::is_finite:
      return in.size() == 1 && fl && out.dtype == DType::bool_;
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

bool codegen_reduces(Prim p, DType d, int64_t row) {
  if (!enabled() || !(is_float(d) || is_integer(d))) return false;
  if (p == Prim::reduce_max || p == Prim::reduce_min) return true;
  if (p != Prim::reduce_sum) return false;
  // Float sums of rows longer than a pairwise leaf add leaves pairwise: at most 256 of them (a
  // table in the kernel).
  return !is_float(d) || row <= 128 * cpu::kPairwiseLeafVectors *
                                    (cpu::kReduceLaneBytes / static_cast<int64_t>(itemsize(d)));
}

bool codegen_loads(DType d) {
  return enabled() && (is_float(d) || is_integer(d) || d == DType::bool_);
}

void set_codegen_enabled(bool on) { g_enabled = on; }

LoopKernel compile_loop(const LoopProgram& program) { return Backend::get().compile(program); }

int64_t compiled_kernels() { return g_compiled.load(); }

void forget_compiled_kernels() { Backend::get().forget(); }

}  // namespace jx::compiler
