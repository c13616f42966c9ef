/* 0.29.2+: complete, complete_data, dropped-callback struct pointer. */
#include <stdint.h>
#include "asyncabi/abi.h"

typedef struct UniffiVTableCallbackInterfaceParser {
    void (*uniffi_free)(uint64_t handle);
    uint64_t (*uniffi_clone)(uint64_t handle);
    void (*as_string)(uint64_t handle, int32_t delay_ms, int32_t value, UniffiForeignFutureCompleteRustBuffer complete, uint64_t complete_data, UniffiForeignFutureDroppedCallbackStruct *out_dropped);
    void (*sync_len)(uint64_t handle, RustBuffer s, uint32_t *out_return, RustCallStatus *status);
} UniffiVTableCallbackInterfaceParser;
void uniffi_demo_fn_init_callback_vtable_parser(const UniffiVTableCallbackInterfaceParser *vtable);
