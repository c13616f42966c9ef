/* Continuations run with no runtime lock held and after the call has left the handle: a
 * callback that re-enters poll, complete, cancel or free on the same handle (from inside poll,
 * wake, cancel or free) neither deadlocks nor trips the concurrent-call detector. A binding
 * with a synchronous event loop does exactly this. */
#include "foreign_harness.h"

typedef struct driver {
    uint64_t handle;
    aa_type type;
    int wakes, readies;
    int8_t status;
    bool freed;
    int cancel_on_wake; /* cancel from inside the WAKE continuation */
    th_manual *ready_after_3_wakes; /* a self-waking producer to finish after 3 rounds */
} driver;

/* A synchronous binding: on WAKE poll again, on READY complete and free, all re-entrantly. */
static void drive(uint64_t data, int8_t code)
{
    driver *d = (driver *)(uintptr_t)data;
    if (code == UNIFFI_RUST_FUTURE_POLL_WAKE) {
        d->wakes++;
        if (d->ready_after_3_wakes != NULL && d->wakes == 3) {
            d->ready_after_3_wakes->wake_in_poll = 0;
            d->ready_after_3_wakes->ready = 1;
        }
        if (d->cancel_on_wake) {
            d->cancel_on_wake = 0;
            aa_future_cancel(d->type, d->handle); /* nothing stored: no invocation */
        }
        aa_future_poll(d->type, d->handle, drive, data);
        return;
    }
    d->readies++;
    RustCallStatus st = {0};
    aa_future_complete(d->type, d->handle, &st);
    d->status = st.code;
    aa_buffer_free(st.errorBuf);
    aa_future_free(d->type, d->handle);
    d->freed = true;
}

int main(void)
{
    th_misuse_install();
    th_manual *m;

    /* Ready at once: READY inside poll -> complete + free inside the callback. */
    driver d1 = {.type = AA_TYPE_U64};
    d1.handle = th_manual_new(AA_TYPE_U64, NULL, &m);
    m->ready = 1;
    aa_future_poll(d1.type, d1.handle, drive, (uint64_t)(uintptr_t)&d1);
    CHECK(d1.freed);
    CHECK_EQ(d1.readies, 1);
    CHECK_EQ(d1.status, 0);

    /* Self-waking poll: WAKE inside poll -> poll again inside the callback, three deep,
     * then READY -> complete + free, all inside the first poll call. */
    driver d2 = {.type = AA_TYPE_U64};
    d2.handle = th_manual_new(AA_TYPE_U64, NULL, &m);
    m->wake_in_poll = 1;
    d2.ready_after_3_wakes = m;
    aa_future_poll(d2.type, d2.handle, drive, (uint64_t)(uintptr_t)&d2);
    CHECK(d2.freed);
    CHECK_EQ(d2.wakes, 3);
    CHECK_EQ(d2.readies, 1);

    /* Wake from outside -> callback polls; cancel from inside the WAKE callback -> the
     * re-poll is READY -> complete gives status 3 -> free, all nested in one wake. */
    driver d3 = {.type = AA_TYPE_U64, .cancel_on_wake = 1};
    d3.handle = th_manual_new(AA_TYPE_U64, NULL, &m);
    aa_future_poll(d3.type, d3.handle, drive, (uint64_t)(uintptr_t)&d3);
    aa_waker *w = aa_waker_retain(m->waker);
    aa_waker_wake(w);
    CHECK(d3.freed);
    CHECK_EQ(d3.status, UNIFFI_CALL_CANCELLED);
    aa_waker_release(w);

    /* cancel invokes the stored continuation (READY) which completes and frees inside. */
    driver d4 = {.type = AA_TYPE_U64};
    d4.handle = th_manual_new(AA_TYPE_U64, NULL, &m);
    aa_future_poll(d4.type, d4.handle, drive, (uint64_t)(uintptr_t)&d4);
    aa_future_cancel(d4.type, d4.handle);
    CHECK(d4.freed);
    CHECK_EQ(d4.status, UNIFFI_CALL_CANCELLED);

    /* A foreign completion wakes the future; the continuation re-polls (READY), completes and
     * frees it, which drops the foreign call, all inside the binding's complete call. */
    fh_binding b = {0};
    driver d5 = {.type = AA_TYPE_U64};
    d5.handle = fh_future_new(AA_TYPE_U64, &b, NULL);
    aa_future_poll(d5.type, d5.handle, drive, (uint64_t)(uintptr_t)&d5);
    CHECK(!d5.freed);
    aa_foreign_call_complete_u64(b.complete_data, (UniffiForeignFutureResultU64){3, {0, {0, 0, NULL}}});
    CHECK(d5.freed);
    CHECK_EQ(d5.status, 0);
    CHECK_EQ(atomic_load(&b.dropped_calls), 1);
    CHECK_EQ(aa_foreign_call_live_count(), 0);

    CHECK_EQ(th_misuse_total(), 0);
    th_check_no_leaks();
    printf("ok\n");
    return 0;
}
