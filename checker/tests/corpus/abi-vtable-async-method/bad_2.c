/* complete and complete_data swapped. */
#include <stdint.h>
#include "asyncabi/abi.h"

typedef struct UniffiVTableCallbackInterfaceTimer {
    void (*uniffi_free)(uint64_t handle);
    uint64_t (*uniffi_clone)(uint64_t handle);
    void (*sleep)(uint64_t handle, uint32_t ms, uint64_t complete_data, UniffiForeignFutureCompleteVoid complete, UniffiForeignFutureDroppedCallbackStruct *out_dropped); // expect: abi-vtable-async-method@12
} UniffiVTableCallbackInterfaceTimer;
