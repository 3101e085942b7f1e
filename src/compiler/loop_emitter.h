// LLVM IR for one loop program (compiler/codegen.h), the part of the code generator that knows
// each operation's scalar semantics. Seen only by the code generator's sources (LLVM's headers
// and flags stay out of the rest of the build).
#pragma once

#include <string>

#include "compiler/codegen.h"

namespace llvm {
class Module;
}

namespace jx::compiler {

// Adds to `module` the external function `name`, a LoopKernel computing `program`.
void emit_loop(const LoopProgram& program, llvm::Module& module, const std::string& name);

}  // namespace jx::compiler
