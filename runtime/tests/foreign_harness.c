/* foreign_harness.c: see foreign_harness.h. */
#include "foreign_harness.h"

#include <string.h>

static _Atomic int *fh_drops;

static void fh_dropped(uint64_t handle)
{
    fh_binding *b = (fh_binding *)(uintptr_t)handle;
    atomic_fetch_add(&b->dropped_calls, 1);
    if (b->complete_in_dropped) {
        /* A binding that completes synchronously when told the producer went away. */
        UniffiForeignFutureResultU64 r = {0, {UNIFFI_CALL_CANCELLED, {0, 0, NULL}}};
        aa_foreign_call_complete_u64(b->complete_data, r);
    }
}

/* What a binding's vtable method does: keep complete_data, install its dropped callback. */
static void fh_method(fh_binding *b, aa_foreign_call *call)
{
    b->complete_data = aa_foreign_call_data(call);
    if (b->use_legacy) {
        b->legacy = aa_foreign_call_legacy_out(call);
        CHECK(b->legacy->free != NULL); /* pre-filled no-op */
        b->legacy->handle = (uint64_t)(uintptr_t)b;
        b->legacy->free = fh_dropped;
    } else {
        b->dropped = aa_foreign_call_dropped(call);
        CHECK(b->dropped->free != NULL); /* pre-filled no-op */
        b->dropped->handle = (uint64_t)(uintptr_t)b;
        b->dropped->free = fh_dropped;
    }
}

static aa_poll fh_poll(aa_future *f, void *state)
{
    fh_state *s = state;
    if (s->call == NULL) {
        s->call = aa_foreign_call_new(s->type, aa_future_waker(f));
        CHECK(s->call != NULL);
        fh_method(s->binding, s->call);
    }
    aa_value v;
    RustCallStatus st = {0, {0, 0, NULL}};
    if (aa_foreign_call_poll(s->call, &v, &st) == AA_PENDING) {
        return AA_PENDING;
    }
    if (st.code == UNIFFI_CALL_SUCCESS) {
        aa_future_return_value(f, v);
    } else if (st.code == UNIFFI_CALL_ERROR) {
        aa_future_return_error(f, st.errorBuf);
    } else {
        aa_buffer_free(st.errorBuf);
        aa_future_return_unexpected(f, "foreign call failed");
    }
    return AA_READY;
}

static void fh_drop(void *state)
{
    fh_state *s = state;
    aa_foreign_call_drop(s->call);
    if (fh_drops != NULL) {
        atomic_fetch_add(fh_drops, 1);
    }
    free(s);
}

static const aa_future_vtable fh_vtable = {fh_poll, fh_drop, "awaits_foreign"};

uint64_t fh_future_new(aa_type type, fh_binding *binding, _Atomic int *drops)
{
    fh_state *s = calloc(1, sizeof *s);
    CHECK(s != NULL);
    s->binding = binding;
    s->type = type;
    fh_drops = drops;
    uint64_t h = aa_future_new(type, &fh_vtable, s);
    CHECK(h != 0);
    return h;
}
