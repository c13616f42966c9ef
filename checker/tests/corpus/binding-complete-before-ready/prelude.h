/* Shared by the binding corpus: an async export, the runtime's declarations, a wait helper. */
#include <stdint.h>
#include "asyncabi/ffi.h"

ASYNCABI_DECLARE_FFI(demo)
uint64_t uniffi_demo_fn_func_say_after(uint16_t ms, RustBuffer who);
uint64_t uniffi_demo_fn_func_sleep(uint16_t ms);
void on_continuation(uint64_t data, int8_t poll_result);
void wait_for_ready(uint64_t slot);
uint64_t new_slot(void);
void keep_for_later(uint64_t handle);
