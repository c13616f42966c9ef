/* Two ABI calls on one handle at once are reported as concurrent-call without blocking: a
 * poll function (running inside poll) that calls poll, complete or free on its own handle.
 * A free that collides is not lost: the call inside runs it when it leaves. cancel may
 * overlap a poll (Swift cancels from another task), so that one is not misuse. */
#include "harness.h"

enum { INNER_POLL, INNER_COMPLETE, INNER_FREE, INNER_CANCEL };

static _Atomic int drops;
static th_log inner;

static aa_poll reentrant_poll(aa_future *f, void *state)
{
    int what = *(int *)state;
    uint64_t h = aa_future_handle(f);
    RustCallStatus st = {0};
    switch (what) {
    case INNER_POLL:
        aa_future_poll(AA_TYPE_U32, h, th_continuation, th_data(&inner));
        break;
    case INNER_COMPLETE:
        aa_future_complete(AA_TYPE_U32, h, &st);
        CHECK_EQ(st.code, UNIFFI_CALL_UNEXPECTED_ERROR);
        aa_buffer_free(st.errorBuf);
        break;
    case INNER_FREE:
        aa_future_free(AA_TYPE_U32, h);
        break;
    case INNER_CANCEL:
        aa_future_cancel(AA_TYPE_U32, h);
        break;
    }
    return AA_PENDING;
}

static void count_drop(void *state)
{
    (void)state;
    atomic_fetch_add(&drops, 1);
}

static const aa_future_vtable vt = {reentrant_poll, count_drop, "reentrant"};

int main(void)
{
    th_misuse_install();
    RustCallStatus st;
    int what;

    /* poll inside poll: reported; the inner continuation still gets READY (never hangs). */
    what = INNER_POLL;
    uint64_t h = aa_future_new(AA_TYPE_U32, &vt, &what);
    th_log outer = {0};
    aa_future_poll(AA_TYPE_U32, h, th_continuation, th_data(&outer));
    CHECK_EQ(th_misuse_count(AA_MISUSE_CONCURRENT_CALL), 1);
    CHECK_EQ(atomic_load(&inner.ready), 1);
    CHECK_EQ(th_total(&outer), 0); /* the outer poll is simply pending */
    aa_future_free(AA_TYPE_U32, h);
    CHECK_EQ(atomic_load(&outer.ready), 1);
    CHECK_EQ(atomic_load(&drops), 1);

    /* complete inside poll: reported, status 2. */
    what = INNER_COMPLETE;
    h = aa_future_new(AA_TYPE_U32, &vt, &what);
    th_log o2 = {0};
    aa_future_poll(AA_TYPE_U32, h, th_continuation, th_data(&o2));
    CHECK_EQ(th_misuse_count(AA_MISUSE_CONCURRENT_CALL), 2);
    aa_future_free(AA_TYPE_U32, h);
    CHECK_EQ(th_total(&o2), 1);
    CHECK_EQ(atomic_load(&drops), 2);

    /* free inside poll: reported and deferred to the poll's exit, which frees: the outer
     * continuation gets its READY, the state is dropped once, the handle is then stale. */
    what = INNER_FREE;
    h = aa_future_new(AA_TYPE_U32, &vt, &what);
    th_log o3 = {0};
    aa_future_poll(AA_TYPE_U32, h, th_continuation, th_data(&o3));
    CHECK_EQ(th_misuse_count(AA_MISUSE_CONCURRENT_CALL), 3);
    CHECK_EQ(atomic_load(&o3.ready), 1);
    CHECK_EQ(atomic_load(&drops), 3);
    CHECK_EQ(aa_future_live_count(), 0);
    aa_future_free(AA_TYPE_U32, h);
    CHECK_EQ(th_misuse_count(AA_MISUSE_STALE_HANDLE), 1);

    /* cancel inside poll: allowed; the PENDING poll's continuation is then READY at once. */
    what = INNER_CANCEL;
    h = aa_future_new(AA_TYPE_U32, &vt, &what);
    th_log o4 = {0};
    aa_future_poll(AA_TYPE_U32, h, th_continuation, th_data(&o4));
    CHECK_EQ(atomic_load(&o4.ready), 1);
    aa_future_complete(AA_TYPE_U32, h, &st);
    CHECK_EQ(st.code, UNIFFI_CALL_CANCELLED);
    aa_future_free(AA_TYPE_U32, h);
    CHECK_EQ(atomic_load(&drops), 4);

    CHECK_EQ(th_misuse_count(AA_MISUSE_CONCURRENT_CALL), 3);
    CHECK_EQ(th_misuse_total(), 4);
    th_check_no_leaks();
    printf("ok\n");
    return 0;
}
