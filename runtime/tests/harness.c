/* harness.c: see harness.h. */
#include "harness.h"

#include <string.h>

void th_continuation(uint64_t data, int8_t code)
{
    th_log *log = (th_log *)(uintptr_t)data;
    if (code == UNIFFI_RUST_FUTURE_POLL_READY) {
        atomic_fetch_add(&log->ready, 1);
    } else if (code == UNIFFI_RUST_FUTURE_POLL_WAKE) {
        atomic_fetch_add(&log->wake, 1);
    } else {
        fprintf(stderr, "continuation with unknown code %d\n", code);
        exit(1);
    }
}

static _Atomic int th_misuses[AA_MISUSE_COUNT_];
static _Atomic int th_misuse_last_code;

static void th_misuse_hook(const aa_misuse *misuse, void *user_data)
{
    (void)user_data;
    CHECK(misuse->code > 0 && misuse->code < AA_MISUSE_COUNT_);
    CHECK(misuse->message != NULL && strstr(misuse->message, aa_misuse_name(misuse->code)));
    atomic_fetch_add(&th_misuses[misuse->code], 1);
    atomic_store(&th_misuse_last_code, misuse->code);
    if (getenv("TH_VERBOSE")) {
        fprintf(stderr, "misuse: %s\n", misuse->message);
    }
}

void th_misuse_install(void)
{
    aa_set_misuse_hook(th_misuse_hook, NULL);
}

int th_misuse_count(aa_misuse_code code)
{
    return atomic_load(&th_misuses[code]);
}

int th_misuse_total(void)
{
    int total = 0;
    for (int i = 0; i < AA_MISUSE_COUNT_; i++) {
        total += atomic_load(&th_misuses[i]);
    }
    return total;
}

aa_misuse_code th_misuse_last(void)
{
    return (aa_misuse_code)atomic_load(&th_misuse_last_code);
}

void th_misuse_reset(void)
{
    for (int i = 0; i < AA_MISUSE_COUNT_; i++) {
        atomic_store(&th_misuses[i], 0);
    }
    atomic_store(&th_misuse_last_code, 0);
}

static aa_poll th_manual_poll(aa_future *future, void *state)
{
    th_manual *m = state;
    m->polls++;
    if (atomic_load_explicit(&m->ready, memory_order_acquire)) {
        aa_value v;
        memset(&v, 0, sizeof v);
        v.u64 = m->value;
        aa_future_return_value(future, v);
        return AA_READY;
    }
    aa_waker *old = atomic_exchange(&m->waker, aa_future_waker(future));
    aa_waker_release(old);
    if (m->wake_in_poll) {
        aa_waker_wake(atomic_load(&m->waker));
    }
    return AA_PENDING;
}

static void th_manual_drop(void *state)
{
    th_manual *m = state;
    aa_waker_release(atomic_exchange(&m->waker, NULL));
    if (m->drops != NULL) {
        atomic_fetch_add(m->drops, 1);
    }
    free(m);
}

const aa_future_vtable th_manual_vtable = {th_manual_poll, th_manual_drop, "manual"};

uint64_t th_manual_new(aa_type type, _Atomic int *drops, th_manual **state_out)
{
    th_manual *m = calloc(1, sizeof *m);
    CHECK(m != NULL);
    m->drops = drops;
    m->value = 42;
    if (state_out != NULL) {
        *state_out = m;
    }
    uint64_t handle = aa_future_new(type, &th_manual_vtable, m);
    CHECK(handle != 0);
    return handle;
}

void th_manual_set_ready(th_manual *m)
{
    atomic_store_explicit(&m->ready, 1, memory_order_release);
    th_manual_wake(m);
}

void th_manual_wake(th_manual *m)
{
    /* Single-threaded tests only: the producer state must still exist. */
    aa_waker *w = atomic_load(&m->waker);
    if (w != NULL) {
        aa_waker_wake(w);
    }
}

void th_check_no_leaks(void)
{
    CHECK_EQ(aa_future_live_count(), 0);
    CHECK_EQ(aa_buffer_live_count(), 0);
}
