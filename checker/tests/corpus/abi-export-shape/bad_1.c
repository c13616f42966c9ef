/* An async export (annotated) that returns the value instead of a future handle. */
#include <stdint.h>
#include "asyncabi/abi.h"
#include "asyncabi/annotations.h"

AA_ASYNC_EXPORT int32_t uniffi_demo_fn_func_answer(void) // expect: abi-export-shape@25
{
    return 42;
}
