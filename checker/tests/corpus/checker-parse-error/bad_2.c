/* An unknown type. */
#include <stdint.h>

uint64_t uniffi_demo_fn_func_x(not_a_type y); // expect: checker-parse-error@32
