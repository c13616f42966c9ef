/* The classic: a future whose state lives on the export's stack. */
#include <stdint.h>
#include "asyncabi/future.h"
#include "asyncabi/annotations.h"

typedef struct counter_state { int count; } counter_state;
static aa_poll counter_poll(aa_future *f, void *state) { (void)f; (void)state; return AA_READY; }
static const aa_future_vtable counter_vt = {counter_poll, NULL, "counter"};

AA_ASYNC_EXPORT uint64_t uniffi_demo_fn_func_count(void)
{
    counter_state st = {0};
    return aa_future_new(AA_TYPE_VOID, &counter_vt, &st); // expect: send-automatic-address@12
}
