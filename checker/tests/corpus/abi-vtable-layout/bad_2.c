/* An annotated vtable with a data member in it. */
#include <stdint.h>
#include "asyncabi/abi.h"
#include "asyncabi/annotations.h"

typedef struct AA_VTABLE Logger {
    void (*uniffi_free)(uint64_t handle);
    uint64_t (*uniffi_clone)(uint64_t handle);
    int level; // expect: abi-vtable-layout@9
    void (*log)(uint64_t handle, RustBuffer line, void *out_return, RustCallStatus *status);
} Logger;
