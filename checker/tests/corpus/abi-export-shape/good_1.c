/* The right shape: handle out, no call status in. */
#include <stdint.h>
#include "asyncabi/abi.h"
#include "asyncabi/annotations.h"

AA_ASYNC_EXPORT uint64_t uniffi_demo_fn_func_say_after(uint16_t ms, RustBuffer who);
uint64_t uniffi_demo_fn_method_megaphone_say(uint64_t self, RustBuffer who);
