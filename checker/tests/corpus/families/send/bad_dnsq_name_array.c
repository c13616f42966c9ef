/* dnsq: asynchronous name lookups exported over UniFFI's async ABI.
 *
 * A lookup owns a copy of the name, the resolver's answer once it arrives and a reference to
 * the waker of the future that waits for it. The resolver thread (resolver.c) fills `answer`
 * and wakes; the poll function only looks.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asyncabi/buffer.h"
#include "asyncabi/future.h"
#include "asyncabi/waker.h"

#define DNSQ_MAX_NAME 253
#define DNSQ_DEFAULT_ATTEMPTS 3

struct dnsq_answer {
    uint32_t addrs[8];
    int naddrs;
    int rcode;
};

struct dnsq_hint {
    uint32_t server;
    int prefer_v4;
};

typedef struct dnsq_lookup {
    char *name;
    size_t name_len;
    int attempts;
    struct dnsq_hint *hint;
    struct dnsq_answer *answer;
    _Atomic int done;
    aa_waker *waker;
} dnsq_lookup;

/* Provided by resolver.c: queues the lookup; the resolver thread sets done and wakes. */
void dnsq_resolver_submit(dnsq_lookup *lk);

static aa_poll dnsq_poll(aa_future *future, void *state)
{
    dnsq_lookup *lk = state;
    if (!atomic_load_explicit(&lk->done, memory_order_acquire)) {
        if (!lk->waker) {
            lk->waker = aa_future_waker(future);
            dnsq_resolver_submit(lk);
        }
        return AA_PENDING;
    }
    if (!lk->answer || lk->answer->rcode != 0) {
        aa_future_return_unexpected(future, "lookup failed");
        return AA_READY;
    }
    aa_future_return_value(future, (aa_value){.u32 = lk->answer->addrs[0]});
    return AA_READY;
}

static void dnsq_drop(void *state)
{
    dnsq_lookup *lk = state;
    if (lk->waker) {
        aa_waker_release(lk->waker);
    }
    free(lk->answer);
    free(lk->hint);
    free(lk->name);
    free(lk);
}

static const aa_future_vtable dnsq_vtable = {dnsq_poll, dnsq_drop, "dnsq_resolve"};

static int dnsq_copy_name(dnsq_lookup *lk, RustBuffer name)
{
    if (name.len == 0 || name.len > DNSQ_MAX_NAME) {
        return -1;
    }
    lk->name = malloc(name.len + 1);
    if (!lk->name) {
        return -1;
    }
    memcpy(lk->name, name.data, name.len);
    lk->name[name.len] = 0;
    lk->name_len = name.len;
    return 0;
}

static void dnsq_attach_hint(dnsq_lookup *lk, struct dnsq_hint *hint)
{
    lk->hint = hint;
}

static uint64_t dnsq_start(dnsq_lookup *lk)
{
    return aa_future_new(AA_TYPE_U32, &dnsq_vtable, lk);
}

uint64_t uniffi_dnsq_fn_func_resolve(RustBuffer name)
{
    dnsq_lookup *lk = calloc(1, sizeof *lk);
    if (!lk) {
        aa_buffer_free(name);
        return 0;
    }
    char local_name[DNSQ_MAX_NAME + 1];
    size_t n = name.len < DNSQ_MAX_NAME ? (size_t)name.len : DNSQ_MAX_NAME;
    memcpy(local_name, name.data, n);
    local_name[n] = 0;
    aa_buffer_free(name);
    lk->attempts = DNSQ_DEFAULT_ATTEMPTS;
    lk->name = local_name; // expect: send-automatic-address@5
    lk->name_len = n;
    return dnsq_start(lk);
}

uint64_t uniffi_dnsq_fn_func_resolve_via(RustBuffer name, uint32_t server)
{
    dnsq_lookup *lk = calloc(1, sizeof *lk);
    struct dnsq_hint *hint = calloc(1, sizeof *hint);
    if (!lk || !hint || dnsq_copy_name(lk, name) != 0) {
        free(hint);
        free(lk);
        aa_buffer_free(name);
        return 0;
    }
    aa_buffer_free(name);
    hint->server = server;
    hint->prefer_v4 = 1;
    dnsq_attach_hint(lk, hint);
    lk->attempts = 1;
    return dnsq_start(lk);
}
