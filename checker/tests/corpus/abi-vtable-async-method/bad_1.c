/* The async method lacks the dropped-callback out-parameter. */
#include <stdint.h>
#include "asyncabi/abi.h"

typedef struct UniffiVTableCallbackInterfaceFetcher {
    void (*uniffi_free)(uint64_t handle);
    uint64_t (*uniffi_clone)(uint64_t handle);
    void (*fetch)(uint64_t handle, uint32_t id, UniffiForeignFutureCompleteRustBuffer complete, uint64_t complete_data); // expect: abi-vtable-async-method@12
} UniffiVTableCallbackInterfaceFetcher;
