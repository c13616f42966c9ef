/* Fields written by the creator before the struct is shared, read-only afterwards. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include "asyncabi/annotations.h"

typedef struct AA_SHARED storm {
    atomic_int refs;
    uint32_t threads AA_SET_ONCE;
    uint64_t wakes_per_thread AA_SET_ONCE;
} storm;

storm *storm_new(uint32_t threads)
{
    storm *s = calloc(1, sizeof *s);
    if (s) {
        atomic_init(&s->refs, 1);
        s->threads = threads;
        s->wakes_per_thread = 1000;
    }
    return s;
}
