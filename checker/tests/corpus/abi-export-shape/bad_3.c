/* By UniFFI's names alone: no RustCallStatus * means async, so the result must be a handle. */
#include <stdint.h>
#include "asyncabi/abi.h"

void uniffi_demo_fn_method_megaphone_say(uint64_t self, RustBuffer who); // expect: abi-export-shape@6
uint32_t uniffi_demo_fn_constructor_megaphone_new(void); // expect: abi-export-shape@10
