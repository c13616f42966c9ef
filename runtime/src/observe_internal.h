/* observe_internal.h: how the runtime reports events and misuse (see asyncabi/observe.h). */
#ifndef AA__OBSERVE_INTERNAL_H
#define AA__OBSERVE_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "asyncabi/observe.h"

extern _Atomic(aa_event_hook) aa__event_hook;

/* The whole cost of observation when nobody observes: one relaxed load. Relaxed is enough
 * because installing a hook while futures are in flight is outside the contract. */
static inline bool aa__observing(void)
{
    return atomic_load_explicit(&aa__event_hook, memory_order_relaxed) != NULL;
}

void aa__emit_slow(aa_op op, aa_type type, uint64_t handle, uint64_t data, int32_t code,
                   const char *name);

#define AA__EMIT(op, type, handle, data, code, name)                                            \
    do {                                                                                       \
        if (aa__observing()) {                                                                 \
            aa__emit_slow((op), (type), (handle), (data), (code), (name));                     \
        }                                                                                      \
    } while (0)

/* Reports a misuse through the hook; `fmt` describes it (the handle and op are prefixed). */
void aa__misuse(aa_misuse_code code, aa_op op, uint64_t handle, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Formats the same text into `out` for a status-2 message; returns `out`. */
const char *aa__misuse_text(char *out, size_t size, aa_misuse_code code, aa_op op,
                            uint64_t handle, const char *detail);

#endif /* AA__OBSERVE_INTERNAL_H */
