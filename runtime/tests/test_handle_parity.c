/* Every handle the runtime issues is even and never 0 (UniFFI 0.30+: producer-made handles are
 * even, foreign-made ones odd), for every kind the handle table serves: future handles of every
 * family (pending and ready-made), foreign-call ids, timer ids; across chunk growth, slot reuse
 * and a generation wrap. An odd handle, even one that differs from a live handle only in the
 * low bit, is rejected as invalid and never reaches the object. */
#include <string.h>

#include "foreign_harness.h"
#include "handle_table.h"
#include "harness.h"

#define LIVE (2 * 4096 + 17) /* more than two chunks of the table at once */

static void check_even(uint64_t h)
{
    CHECK(h != 0);
    CHECK_EQ(h & 1, 0);
}

/* Forces the next handle issued from the slot of retired `h` to carry generation `gen`: the
 * free list is LIFO, so that slot is the next one popped (single-threaded test). */
static void set_free_slot_gen(uint64_t h, uint32_t gen)
{
    aa__slot *slot = aa__handle_slot(h);
    uint64_t word = atomic_load(&slot->word);
    CHECK_EQ(word & AA__SLOT_LIVE, 0);
    atomic_store(&slot->word, (uint64_t)gen << AA__GEN_SHIFT); /* where alloc reads it */
}

static uint32_t gen_of(uint64_t h)
{
    return (uint32_t)(h >> AA__GEN_SHIFT) & AA__GEN_MASK;
}

int main(void)
{
    th_misuse_install();
    _Atomic int drops = 0;
    th_log log = {0};
    RustCallStatus st;

    /* --- futures: every family, made by aa_future_new and aa_future_new_ready --- */
    for (int t = 0; t < AA_TYPE_COUNT_; t++) {
        uint64_t h = th_manual_new((aa_type)t, &drops, NULL);
        check_even(h);
        aa_future_free((aa_type)t, h);
        aa_value v;
        memset(&v, 0, sizeof v);
        if (t == AA_TYPE_RUST_BUFFER) {
            v.rust_buffer = aa_buffer_from_bytes("x", 1);
        }
        h = aa_future_new_ready((aa_type)t, v);
        check_even(h);
        aa_future_free((aa_type)t, h);
    }

    /* --- many live at once (the table grows), then all reused --- */
    static uint64_t live[LIVE];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < LIVE; i++) {
            live[i] = th_manual_new(AA_TYPE_U64, &drops, NULL);
            check_even(live[i]);
        }
        for (int i = 0; i < LIVE; i++) {
            aa_future_free(AA_TYPE_U64, live[i]);
        }
    }

    /* --- foreign-call ids (the complete_data the binding receives) --- */
    for (int t = 0; t < AA_TYPE_COUNT_; t++) {
        fh_binding b;
        memset(&b, 0, sizeof b);
        uint64_t h = fh_future_new((aa_type)t, &b, &drops);
        check_even(h);
        aa_future_poll((aa_type)t, h, th_continuation, th_data(&log));
        check_even(b.complete_data);
        aa_future_free((aa_type)t, h); /* drops the call; the binding never completes */
        CHECK_EQ(atomic_load(&b.dropped_calls), 1);
    }

    /* --- timer ids --- */
    {
        th_manual *tm;
        uint64_t h = th_manual_new(AA_TYPE_VOID, &drops, &tm);
        aa_future_poll(AA_TYPE_VOID, h, th_continuation, th_data(&log)); /* stashes its waker */
        aa_waker *w = atomic_load(&tm->waker);
        CHECK(w != NULL);
        for (int i = 0; i < 64; i++) {
            uint64_t id = aa_timer_after(3600ull * 1000000000ull, aa_waker_retain(w));
            check_even(id);
            CHECK(aa_timer_cancel(id));
            CHECK(!aa_timer_cancel(id | 1)); /* an odd id names no timer */
        }
        aa_future_free(AA_TYPE_VOID, h);
        aa_timer_shutdown();
    }

    CHECK_EQ(th_misuse_total(), 0);

    /* --- an odd handle is the foreign side's: rejected, the future untouched --- */
    th_manual *m;
    uint64_t h = th_manual_new(AA_TYPE_U32, &drops, &m);
    check_even(h);
    th_log odd = {0};
    aa_future_poll(AA_TYPE_U32, h | 1, th_continuation, th_data(&odd));
    CHECK_EQ(th_misuse_count(AA_MISUSE_INVALID_HANDLE), 1);
    CHECK_EQ(atomic_load(&odd.ready), 1); /* a bad handle still gets READY: never hangs */
    CHECK_EQ(m->polls, 0);
    st = (RustCallStatus){0};
    aa_future_complete(AA_TYPE_U32, h | 1, &st);
    CHECK_EQ(th_misuse_count(AA_MISUSE_INVALID_HANDLE), 2);
    CHECK_EQ(st.code, UNIFFI_CALL_UNEXPECTED_ERROR);
    aa_buffer_free(st.errorBuf);
    aa_future_cancel(AA_TYPE_U32, h | 1);
    aa_future_free(AA_TYPE_U32, h | 1);
    CHECK_EQ(th_misuse_count(AA_MISUSE_INVALID_HANDLE), 4);
    int before = atomic_load(&drops);
    aa_future_free(AA_TYPE_U32, h); /* the real handle is still live */
    CHECK_EQ(atomic_load(&drops), before + 1);
    CHECK_EQ(th_misuse_total(), 4);

    /* An odd foreign-call id: reported as a stale/unknown completion, absorbed. */
    {
        fh_binding b;
        memset(&b, 0, sizeof b);
        uint64_t f = fh_future_new(AA_TYPE_U64, &b, &drops);
        aa_future_poll(AA_TYPE_U64, f, th_continuation, th_data(&log));
        UniffiForeignFutureResultU64 r = {7, {0, {0, 0, NULL}}};
        aa_foreign_call_complete_u64(b.complete_data | 1, r);
        CHECK_EQ(th_misuse_count(AA_MISUSE_FOREIGN_COMPLETE_STALE), 1);
        aa_foreign_call_complete_u64(b.complete_data, r); /* the real id still works */
        CHECK_EQ(th_misuse_count(AA_MISUSE_FOREIGN_COMPLETE_STALE), 1);
        aa_future_free(AA_TYPE_U64, f);
    }

    /* --- generation wrap: the last generation, then back to 1, all even --- */
    th_misuse_reset();
    h = th_manual_new(AA_TYPE_U64, &drops, NULL);
    aa_future_free(AA_TYPE_U64, h);
    set_free_slot_gen(h, AA__GEN_MASK);
    uint64_t last = th_manual_new(AA_TYPE_U64, &drops, NULL);
    CHECK(aa__handle_slot(last) == aa__handle_slot(h));
    CHECK_EQ(gen_of(last), AA__GEN_MASK);
    check_even(last);
    aa_future_free(AA_TYPE_U64, last);
    uint64_t wrapped = th_manual_new(AA_TYPE_U64, &drops, NULL);
    CHECK(aa__handle_slot(wrapped) == aa__handle_slot(h));
    CHECK_EQ(gen_of(wrapped), 1); /* generation 0 is skipped: it is never issued */
    check_even(wrapped);
    CHECK(wrapped != last);
    aa_future_free(AA_TYPE_U64, last); /* the pre-wrap handle is stale, not the new one */
    CHECK_EQ(th_misuse_count(AA_MISUSE_STALE_HANDLE), 1);
    aa_future_poll(AA_TYPE_U64, wrapped, th_continuation, th_data(&log));
    aa_future_free(AA_TYPE_U64, wrapped);
    CHECK_EQ(th_misuse_total(), 1);

    /* The same wrap for a foreign-call id. Completing before the free makes the free retire
     * the call's slot first and the future's last, so the next future pops the future's slot
     * and its foreign call pops the call's slot again. */
    {
        UniffiForeignFutureResultVoid r = {{0, {0, 0, NULL}}};
        fh_binding b;
        memset(&b, 0, sizeof b);
        uint64_t f = fh_future_new(AA_TYPE_VOID, &b, &drops);
        aa_future_poll(AA_TYPE_VOID, f, th_continuation, th_data(&log));
        uint64_t id = b.complete_data;
        aa_foreign_call_complete_void(id, r);
        aa_future_free(AA_TYPE_VOID, f);
        set_free_slot_gen(id, AA__GEN_MASK);
        uint64_t ids[2];
        for (int i = 0; i < 2; i++) {
            memset(&b, 0, sizeof b);
            f = fh_future_new(AA_TYPE_VOID, &b, &drops);
            aa_future_poll(AA_TYPE_VOID, f, th_continuation, th_data(&log));
            ids[i] = b.complete_data;
            check_even(f);
            check_even(ids[i]);
            CHECK(aa__handle_slot(ids[i]) == aa__handle_slot(id));
            aa_foreign_call_complete_void(ids[i], r);
            aa_future_free(AA_TYPE_VOID, f);
        }
        CHECK_EQ(gen_of(ids[0]), AA__GEN_MASK);
        CHECK_EQ(gen_of(ids[1]), 1);
        /* Long retired (a call's slot retires after its completion): a second completion. */
        aa_foreign_call_complete_void(ids[0], r);
        CHECK_EQ(th_misuse_count(AA_MISUSE_FOREIGN_COMPLETE_TWICE), 1);
    }
    CHECK_EQ(th_misuse_total(), 2);
    th_check_no_leaks();
    printf("ok\n");
    return 0;
}
