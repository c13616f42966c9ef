/* blocking-in-poll: no blocking call (sleep family, joins, condition waits, blocking I/O,
 * system) in a poll function, a continuation or completion callback, or anything they call in
 * the same translation unit. A poll function runs on the binding's event-loop thread; one that
 * blocks stalls every other task of that loop.
 *
 * Roots: AA_POLL_FN / AA_CALLBACK_FN, ffi_*_rust_future_poll_*, functions of the runtime's poll
 * shape (aa_poll (aa_future *, void *)), functions of the continuation or foreign-complete
 * type, functions passed as a poll call's continuation. Reach: direct calls within the TU.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/common.h"
#include "rules/rules.h"

void aac_rules_blocking(aac_tu *t)
{
    if (!aac_enabled(t, AAC_BLOCKING_IN_POLL)) {
        return;
    }
    const unsigned stamp = 0xB10C;
    if (aac_mark_reachable(t, AAC_ROLE_POLL | AAC_ROLE_CALLBACK, 0, stamp) == 0) {
        return;
    }
    for (size_t i = 0; i < t->nfuncs; i++) {
        aac_func *f = &t->funcs[i];
        if (f->mark != stamp) {
            continue;
        }
        const char *why = (f->roles & AAC_ROLE_POLL)       ? "poll function"
                          : (f->roles & AAC_ROLE_CALLBACK) ? "callback"
                                                           : NULL;
        for (size_t j = 0; j < f->ncalls; j++) {
            aac_call *c = &f->calls[j];
            if (!c->direct || !aac_blocking_fn(c->callee)) {
                continue;
            }
            if (why) {
                aac_report(t, AAC_BLOCKING_IN_POLL, c->cursor,
                           "blocking call '%s' in %s '%s': it stalls the binding's event loop "
                           "(return pending and wake the waker instead)",
                           c->callee, why, f->name);
            } else {
                aac_report(t, AAC_BLOCKING_IN_POLL, c->cursor,
                           "blocking call '%s' in '%s', which a poll function or callback of "
                           "this file calls: it stalls the binding's event loop",
                           c->callee, f->name);
            }
        }
    }
    for (size_t i = 0; i < t->nfuncs; i++) {
        t->funcs[i].mark = 0;
    }
}
