/* libclang-14 crashes (SIGSEGV in its parser) on this input, and clang-14 -fsyntax-only does
 * too; found by checker.fuzz. The checker answers with checker-parse-error. */
s(struct {
#include"asyncabi/ffi.h"