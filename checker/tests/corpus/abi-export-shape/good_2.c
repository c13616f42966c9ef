/* Synchronous exports take RustCallStatus * last and may return anything. */
#include <stdint.h>
#include "asyncabi/abi.h"

int32_t uniffi_demo_fn_func_add(int32_t a, int32_t b, RustCallStatus *out_status);
void uniffi_demo_fn_func_log(RustBuffer msg, RustCallStatus *out_status);
uint64_t uniffi_demo_fn_constructor_megaphone_new(RustCallStatus *out_status);
