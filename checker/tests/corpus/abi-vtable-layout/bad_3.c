/* uniffi_free placed second. */
#include <stdint.h>

typedef struct UniffiVTableCallbackInterfaceStore {
    uint64_t (*uniffi_clone)(uint64_t handle); // expect: abi-vtable-layout@16
    void (*uniffi_free)(uint64_t handle);
} UniffiVTableCallbackInterfaceStore;
