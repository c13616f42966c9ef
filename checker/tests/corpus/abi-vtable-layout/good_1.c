/* free, clone, then methods. */
#include <stdint.h>
#include "asyncabi/abi.h"

typedef struct UniffiVTableCallbackInterfaceParser {
    void (*uniffi_free)(uint64_t handle);
    uint64_t (*uniffi_clone)(uint64_t handle);
    void (*parse)(uint64_t handle, RustBuffer input, RustBuffer *out_return, RustCallStatus *status);
} UniffiVTableCallbackInterfaceParser;
void uniffi_demo_fn_init_callback_vtable_parser(const UniffiVTableCallbackInterfaceParser *vtable);
