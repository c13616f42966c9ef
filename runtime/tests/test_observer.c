/* aa_set_observer sees every call entered and left, continuations invoked and returned, wakes
 * and retirements, each with the thread and a sequence number; the continuation dispatch hook
 * may take a continuation; rustbuffer_* calls carry their status; the misuse table refines a
 * stale handle by op and says who detects each code. */
#include <pthread.h>
#include <string.h>

#include "asyncabi/ffi.h"
#include "harness.h"

#define MAX 64
static aa_event seen[MAX];
static int count;

static void record(const aa_event *e, void *user)
{
    CHECK(user == (void *)&count);
    CHECK(count < MAX);
    seen[count] = *e;
    seen[count].name = NULL; /* valid only during the hook */
    count++;
}

typedef struct step {
    aa_op op;
    aa_phase phase;
} step;

/* The events since `from` are exactly `want` (op and phase), numbered one after another on
 * this thread. */
static void expect_steps(int from, const step *want, int n)
{
    if (count - from != n) {
        fprintf(stderr, "%d events, want %d:\n", count - from, n);
        for (int i = from; i < count; i++) {
            fprintf(stderr, "  %s/%d\n", aa_op_name(seen[i].op), seen[i].phase);
        }
        exit(1);
    }
    for (int i = 0; i < n; i++) {
        const aa_event *e = &seen[from + i];
        if (e->op != want[i].op || e->phase != want[i].phase) {
            fprintf(stderr, "event %d: %s/%d, want %s/%d\n", i, aa_op_name(e->op), e->phase,
                    aa_op_name(want[i].op), want[i].phase);
            exit(1);
        }
        CHECK_EQ(e->thread, aa_thread_id());
        if (from + i > 0) {
            CHECK_EQ(e->seq, seen[from + i - 1].seq + 1);
        }
    }
}

/* The dispatch hook: takes READY continuations (to invoke them later), leaves WAKE ones. */
static UniffiRustFutureContinuationCallback taken_cb;
static uint64_t taken_data;
static int8_t taken_code;

static bool take_ready(const aa_event *c, UniffiRustFutureContinuationCallback cb, void *user)
{
    CHECK(user == (void *)&taken_cb);
    CHECK(c->op == AA_OP_CONTINUATION);
    if (c->code != UNIFFI_RUST_FUTURE_POLL_READY) {
        return false;
    }
    taken_cb = cb;
    taken_data = c->data;
    taken_code = (int8_t)c->code;
    return true;
}

static void *other_thread_id(void *out)
{
    *(uint32_t *)out = aa_thread_id();
    return NULL;
}

#define P AA_PHASE_POINT
#define E AA_PHASE_ENTER
#define L AA_PHASE_LEAVE

int main(void)
{
    th_misuse_install();
    aa_set_observer(record, &count);

    /* A pending future, woken, polled to READY, completed, freed. */
    th_log log = {0};
    th_manual *m;
    uint64_t h = th_manual_new(AA_TYPE_U32, NULL, &m);
    aa_future_poll(AA_TYPE_U32, h, th_continuation, th_data(&log));
    CHECK(seen[1].callback == th_continuation);
    CHECK_EQ(seen[1].data, th_data(&log));
    th_manual_set_ready(m);
    aa_future_poll(AA_TYPE_U32, h, th_continuation, th_data(&log));
    RustCallStatus st = {0};
    aa_future_complete(AA_TYPE_U32, h, &st);
    aa_future_free(AA_TYPE_U32, h);
    static const step lifecycle[] = {
        {AA_OP_FUTURE_NEW, P},   {AA_OP_POLL, E},
        {AA_OP_POLL, L},         {AA_OP_WAKE, P},
        {AA_OP_CONTINUATION, P}, {AA_OP_CONTINUATION_RETURNED, P},
        {AA_OP_POLL, E},         {AA_OP_CONTINUATION, P},
        {AA_OP_CONTINUATION_RETURNED, P}, {AA_OP_POLL, L},
        {AA_OP_COMPLETE, E},     {AA_OP_COMPLETE, L},
        {AA_OP_FREE, E},         {AA_OP_RETIRED, P},
        {AA_OP_FREE, L},
    };
    expect_steps(0, lifecycle, (int)(sizeof lifecycle / sizeof lifecycle[0]));
    CHECK_EQ(seen[4].code, UNIFFI_RUST_FUTURE_POLL_WAKE);
    CHECK_EQ(seen[7].code, UNIFFI_RUST_FUTURE_POLL_READY);
    CHECK(seen[10].status == &st);
    CHECK_EQ(seen[11].code, UNIFFI_CALL_SUCCESS);
    CHECK_EQ(atomic_load(&log.ready), 1);
    CHECK_EQ(atomic_load(&log.wake), 1);

    /* The dispatch hook takes the READY of an always-ready future: no continuation-returned,
     * and the binding hears of it only when the taker invokes it. */
    aa_set_continuation_dispatch(take_ready, &taken_cb);
    th_log log2 = {0};
    h = aa_future_new_ready(AA_TYPE_VOID, (aa_value){.u64 = 0});
    int from = count;
    aa_future_poll(AA_TYPE_VOID, h, th_continuation, th_data(&log2));
    static const step taken[] = {{AA_OP_POLL, E}, {AA_OP_CONTINUATION, P}, {AA_OP_POLL, L}};
    expect_steps(from, taken, 3);
    CHECK_EQ(th_total(&log2), 0);
    CHECK(taken_cb == th_continuation);
    taken_cb(taken_data, taken_code);
    CHECK_EQ(atomic_load(&log2.ready), 1);
    aa_set_continuation_dispatch(NULL, NULL);
    aa_future_complete(AA_TYPE_VOID, h, &st);
    aa_future_free(AA_TYPE_VOID, h);

    /* rustbuffer_* calls: entered with the status and the size, left with the status code. */
    from = count;
    RustCallStatus bst = {0};
    RustBuffer b = aa_ffi_rustbuffer_alloc(5, &bst);
    aa_ffi_rustbuffer_free(b, &bst);
    static const step buffers[] = {{AA_OP_RUSTBUFFER_ALLOC, E},
                                   {AA_OP_RUSTBUFFER_ALLOC, L},
                                   {AA_OP_RUSTBUFFER_FREE, E},
                                   {AA_OP_RUSTBUFFER_FREE, L}};
    expect_steps(from, buffers, 4);
    CHECK(seen[from].status == &bst);
    CHECK_EQ(seen[from].data, 5);
    CHECK_EQ(seen[from + 1].code, UNIFFI_CALL_SUCCESS);

    /* A call on a freed handle: entered, rejected (stale-handle, which is poll-after-free for a
     * poll), answered READY, left. */
    th_log log3 = {0};
    from = count;
    aa_future_poll(AA_TYPE_VOID, h, th_continuation, th_data(&log3));
    CHECK_EQ(th_misuse_last(), AA_MISUSE_STALE_HANDLE);
    static const step stale[] = {{AA_OP_POLL, E},
                                 {AA_OP_CONTINUATION, P},
                                 {AA_OP_CONTINUATION_RETURNED, P},
                                 {AA_OP_POLL, L}};
    expect_steps(from, stale, 4);
    CHECK_EQ(atomic_load(&log3.ready), 1);
    CHECK_EQ(aa_misuse_refine(AA_MISUSE_STALE_HANDLE, AA_OP_POLL), AA_MISUSE_POLL_AFTER_FREE);
    CHECK_EQ(aa_misuse_refine(AA_MISUSE_STALE_HANDLE, AA_OP_FREE), AA_MISUSE_FREE_TWICE);
    CHECK_EQ(aa_misuse_refine(AA_MISUSE_STALE_HANDLE, AA_OP_COMPLETE),
             AA_MISUSE_COMPLETE_AFTER_FREE);
    CHECK_EQ(aa_misuse_refine(AA_MISUSE_STALE_HANDLE, AA_OP_CANCEL), AA_MISUSE_CANCEL_AFTER_FREE);
    CHECK_EQ(aa_misuse_refine(AA_MISUSE_COMPLETE_TWICE, AA_OP_FREE), AA_MISUSE_COMPLETE_TWICE);
    CHECK(strcmp(aa_misuse_name(AA_MISUSE_POLL_AFTER_FREE), "poll-after-free") == 0);
    CHECK(strcmp(aa_misuse_detected_by(AA_MISUSE_CONCURRENT_CALL), "runtime") == 0);
    CHECK(strcmp(aa_misuse_detected_by(AA_MISUSE_LEAKED_FUTURE), "monitor") == 0);
    CHECK(strcmp(aa_misuse_detected_by(AA_MISUSE_NONE_), "?") == 0);
    CHECK_EQ(aa_misuse_from_name("free-twice"), AA_MISUSE_FREE_TWICE);
    CHECK_EQ(aa_misuse_from_name("no-such-code"), AA_MISUSE_NONE_);

    /* Thread ids are small, stable and per thread. */
    uint32_t mine = aa_thread_id(), theirs = 0;
    CHECK(mine >= 1 && mine == aa_thread_id());
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, other_thread_id, &theirs), 0);
    pthread_join(t, NULL);
    CHECK(theirs >= 1 && theirs != mine);

    /* The classic hook replaces the observer and sees only its own events. */
    aa_set_event_hook(record, &count);
    from = count;
    h = aa_future_new_ready(AA_TYPE_VOID, (aa_value){.u64 = 0});
    aa_future_poll(AA_TYPE_VOID, h, th_continuation, th_data(&log3));
    aa_future_complete(AA_TYPE_VOID, h, &st);
    aa_future_free(AA_TYPE_VOID, h);
    CHECK_EQ(count - from, 5); /* new, poll, continuation, complete (left), free */
    aa_set_event_hook(NULL, NULL);
    th_check_no_leaks();
    printf("ok\n");
    return 0;
}
