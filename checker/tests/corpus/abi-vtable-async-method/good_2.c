// checker-args: --profile legacy
/* Legacy profile: the UniffiForeignFuture out-parameter, methods first, uniffi_free last. */
#include <stdint.h>
#include "asyncabi/abi.h"

typedef struct UniffiVTableCallbackInterfaceParser {
    void (*as_string)(uint64_t handle, int32_t value, UniffiForeignFutureCompleteRustBuffer complete, uint64_t complete_data, UniffiForeignFuture *out_future);
    void (*uniffi_free)(uint64_t handle);
} UniffiVTableCallbackInterfaceParser;
void uniffi_demo_fn_init_callback_vtable_parser(const UniffiVTableCallbackInterfaceParser *vtable);
