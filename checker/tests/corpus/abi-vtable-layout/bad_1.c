/* A vtable that forgot uniffi_clone. */
#include <stdint.h>
#include "asyncabi/abi.h"

typedef struct VTableParser {
    void (*uniffi_free)(uint64_t handle);
    void (*parse)(uint64_t handle, RustBuffer input, RustBuffer *out_return, RustCallStatus *status); // expect: abi-vtable-layout@12
} VTableParser;
void uniffi_demo_fn_init_callback_vtable_parser(const VTableParser *vtable);
