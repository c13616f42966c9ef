// checker-args: --profile legacy
/* Legacy profile (0.26 to 0.29.1): methods first, uniffi_free last. */
#include <stdint.h>
#include "asyncabi/abi.h"

typedef struct UniffiVTableCallbackInterfaceParser {
    void (*parse)(uint64_t handle, RustBuffer input, RustBuffer *out_return, RustCallStatus *status);
    void (*uniffi_free)(uint64_t handle);
} UniffiVTableCallbackInterfaceParser;
void uniffi_demo_fn_init_callback_vtable_parser(const UniffiVTableCallbackInterfaceParser *vtable);
