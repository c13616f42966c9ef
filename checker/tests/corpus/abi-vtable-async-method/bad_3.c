// checker-args: --profile 30
/* The legacy out-parameter under the 0.29.2 profile. */
#include <stdint.h>
#include "asyncabi/abi.h"

typedef struct UniffiVTableCallbackInterfaceTimer {
    void (*uniffi_free)(uint64_t handle);
    uint64_t (*uniffi_clone)(uint64_t handle);
    void (*sleep)(uint64_t handle, uint32_t ms, UniffiForeignFutureCompleteVoid complete, uint64_t complete_data, UniffiForeignFuture *out_future); // expect: abi-vtable-async-method@12
    void (*ping)(uint64_t handle, UniffiForeignFutureCompleteVoid complete, uint64_t complete_data, UniffiForeignFutureDroppedCallbackStruct *out_dropped);
} UniffiVTableCallbackInterfaceTimer;
