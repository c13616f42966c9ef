/* blocking-in-poll: no blocking call (sleep family, joins, condition waits, blocking I/O,
 * system) in a poll function, a continuation or completion callback, or anything they call in
 * the same translation unit. A poll function runs on the binding's event-loop thread; one that
 * blocks stalls every other task of that loop.
 *
 * Roots: AA_POLL_FN / AA_CALLBACK_FN, ffi_*_rust_future_poll_*, the poll slot of an
 * aa_future_vtable (whatever its spelling), functions of the continuation or foreign-complete
 * type, functions passed as a poll call's continuation. A helper that blocks (summary.h: through
 * any depth of calls) is reported at the root's call to it, naming the blocking call inside.
 * poll/epoll_wait with a constant 0 timeout and recv with MSG_DONTWAIT do not block.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/common.h"
#include "rules/rules.h"
#include "rules/summary.h"

void aac_rules_blocking(aac_tu *t)
{
    if (!aac_enabled(t, AAC_BLOCKING_IN_POLL)) {
        return;
    }
    for (size_t i = 0; i < t->nfuncs; i++) {
        aac_func *f = &t->funcs[i];
        if (!(f->roles & (AAC_ROLE_POLL | AAC_ROLE_CALLBACK))) {
            continue;
        }
        const char *why = (f->roles & AAC_ROLE_POLL) ? "poll function" : "callback";
        for (size_t j = 0; j < f->ncalls; j++) {
            aac_call *c = &f->calls[j];
            if (!c->direct) {
                continue;
            }
            if (aac_blocking_call(c->cursor, c->callee)) {
                aac_report(t, AAC_BLOCKING_IN_POLL, c->cursor,
                           "blocking call '%s' in %s '%s': it stalls the binding's event loop "
                           "(return pending and wake the waker instead)",
                           c->callee, why, f->name);
                continue;
            }
            aac_func *g = c->fn;
            if (!g || g == f || (g->roles & (AAC_ROLE_POLL | AAC_ROLE_CALLBACK))) {
                continue; /* a root of its own is reported on its own */
            }
            const aac_fsum *gs = aac_fsum_of(t, g);
            if (gs->blocks) {
                unsigned line, col;
                aac_line_col(clang_getCursorLocation(gs->block_at), &line, &col);
                aac_report(t, AAC_BLOCKING_IN_POLL, c->cursor,
                           "'%s' blocks (it reaches '%s' at line %u), called from %s '%s': it "
                           "stalls the binding's event loop",
                           c->callee, gs->block_fn, line, why, f->name);
            }
        }
    }
}
