/* A binding that completes a foreign call a second time, with the very same buffers (it
 * replays its result) or with fresh ones:
 *   - alive: the producer still waits for the call;
 *   - taken: the producer's poll took the result and dropped its side (the call is released,
 *     its complete_data stale), and still holds the first buffer;
 *   - late: the producer dropped its side first, the first completion came late (absorbed, its
 *     buffers freed), then the second.
 * Each second completion is reported as foreign-complete-twice. The first completion's
 * buffers are never freed again (the test still reads and frees the one the producer took);
 * fresh ones are freed, as R47 hands them to the producer. A second completion so late that the
 * runtime has forgotten the call (AA__FOREIGN_TOMBSTONES calls released since) is reported too
 * and frees nothing: the test frees its fresh buffer itself. Last, replays racing the
 * producer's poll and drop from another thread (ARGV[1] rounds). ASan, TSan and valgrind
 * variants catch a double free, a use of a freed buffer or a data race. */
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "foreign_call_internal.h"
#include "foreign_harness.h"

typedef enum { ALIVE, TAKEN, LATE } when_t;
static const char *const when_names[] = {"alive", "taken", "late"};

static void complete_buffer(uint64_t data, RustBuffer value)
{
    aa_foreign_call_complete_rust_buffer(
        data, (UniffiForeignFutureResultRustBuffer){value, {UNIFFI_CALL_SUCCESS, {0, 0, NULL}}});
}

static void complete_error(uint64_t data, RustBuffer error)
{
    aa_foreign_call_complete_rust_buffer(
        data, (UniffiForeignFutureResultRustBuffer){{0, 0, NULL}, {UNIFFI_CALL_ERROR, error}});
}

/* Whether `b` holds `text`, read byte by byte so that a sanitizer sees every read (GCC folds
 * a memcmp with a constant into loads ASan does not check). */
static bool holds(RustBuffer b, const char *text)
{
    size_t n = strlen(text);
    if (b.data == NULL || b.len != n) {
        return false;
    }
    const volatile uint8_t *p = b.data;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != (uint8_t)text[i]) {
            return false;
        }
    }
    return true;
}

/* Takes the result of a future that is READY (or becomes so at this poll): the buffer the
 * producer got from the foreign call, checked to still hold "first". */
static RustBuffer take_first(uint64_t h, th_log *log, bool error)
{
    aa_future_poll(AA_TYPE_RUST_BUFFER, h, th_continuation, th_data(log));
    CHECK_EQ(atomic_load(&log->ready), 1);
    RustCallStatus st = {0};
    RustBuffer out = aa_future_complete(AA_TYPE_RUST_BUFFER, h, &st).rust_buffer;
    RustBuffer got = error ? st.errorBuf : out;
    CHECK_EQ(st.code, error ? UNIFFI_CALL_ERROR : UNIFFI_CALL_SUCCESS);
    CHECK(holds(got, "first"));
    return got;
}

/* Releases `calls` other foreign calls, each completed once: more than the runtime remembers. */
static void churn(int calls)
{
    for (int i = 0; i < calls; i++) {
        fh_binding b = {0};
        th_log log = {0};
        uint64_t h = fh_future_new(AA_TYPE_U64, &b, NULL);
        aa_future_poll(AA_TYPE_U64, h, th_continuation, th_data(&log));
        aa_foreign_call_complete_u64(b.complete_data,
                                     (UniffiForeignFutureResultU64){1, {0, {0, 0, NULL}}});
        aa_future_free(AA_TYPE_U64, h);
    }
}

static void run(bool error, bool replay, when_t when, bool forgotten)
{
    th_misuse_reset();
    fh_binding b = {0};
    th_log log = {0};
    uint64_t h = fh_future_new(AA_TYPE_RUST_BUFFER, &b, NULL);
    aa_future_poll(AA_TYPE_RUST_BUFFER, h, th_continuation, th_data(&log));
    CHECK(b.complete_data != 0);
    if (when == LATE) {
        aa_future_free(AA_TYPE_RUST_BUFFER, h); /* drop before any completion */
        CHECK_EQ(atomic_load(&b.dropped_calls), 1);
    }
    RustBuffer first = aa_buffer_from_bytes("first", 5);
    RustBuffer again = replay ? first : aa_buffer_from_bytes("fresh", 5);
    void (*complete)(uint64_t, RustBuffer) = error ? complete_error : complete_buffer;
    complete(b.complete_data, first);
    CHECK_EQ(th_misuse_total(), 0);
    RustBuffer got = {0, 0, NULL};
    if (when == TAKEN) {
        got = take_first(h, &log, error);
        CHECK_EQ(atomic_load(&b.dropped_calls), 1); /* the call was dropped at READY */
    }
    if (when != ALIVE) {
        CHECK_EQ(aa_foreign_call_live_count(), 0); /* released: complete_data is stale */
    }
    if (forgotten) {
        churn(AA__FOREIGN_TOMBSTONES + 8);
    }

    uint64_t live = aa_buffer_live_count();
    complete(b.complete_data, again);
    if (getenv("TH_VERBOSE")) {
        fprintf(stderr, "%s %s %s%s: %llu -> %llu buffers\n", error ? "error" : "value",
                replay ? "replay" : "fresh", when_names[when], forgotten ? " forgotten" : "",
                (unsigned long long)live, (unsigned long long)aa_buffer_live_count());
    }
    if (when == TAKEN) {
        CHECK(holds(got, "first")); /* the producer's buffer is intact */
    }
    /* A fresh buffer was handed over and is freed; the first one never again; a forgotten
     * call's buffers are left to the binding. */
    CHECK_EQ(aa_buffer_live_count(), live - (!replay && !forgotten ? 1 : 0));
    CHECK_EQ(th_misuse_count(AA_MISUSE_FOREIGN_COMPLETE_TWICE), 1);
    CHECK_EQ(th_misuse_total(), 1);
    if (!replay && forgotten) {
        aa_buffer_free(again);
    }

    if (when == ALIVE) {
        got = take_first(h, &log, error);
    }
    if (when != LATE) {
        CHECK(holds(got, "first")); /* the producer's buffer is intact */
        aa_buffer_free(got);
        aa_future_free(AA_TYPE_RUST_BUFFER, h);
    }
    CHECK_EQ(atomic_load(&b.dropped_calls), 1);
    CHECK_EQ(aa_foreign_call_live_count(), 0);
    CHECK_EQ(aa_buffer_live_count(), 0);
}

/* --- Replays racing the producer's poll and drop --- */

typedef struct racer {
    uint64_t data;
    RustBuffer buffer;
    int pause; /* yields between the completion and its replay */
} racer;

static void *replay_main(void *arg)
{
    racer *r = arg;
    complete_buffer(r->data, r->buffer);
    for (int i = 0; i < r->pause; i++) {
        sched_yield();
    }
    complete_buffer(r->data, r->buffer);
    return NULL;
}

/* The binding's thread completes and soon replays (after 0 to 31 yields); meanwhile the producer polls as soon as
 * it is woken, takes the result and drops the call, so the replay meets the call alive, being
 * dropped, or released. */
static void race(int rounds)
{
    th_misuse_reset();
    for (int i = 0; i < rounds; i++) {
        fh_binding b = {0};
        th_log log = {0};
        uint64_t h = fh_future_new(AA_TYPE_RUST_BUFFER, &b, NULL);
        aa_future_poll(AA_TYPE_RUST_BUFFER, h, th_continuation, th_data(&log));
        racer r = {b.complete_data, aa_buffer_from_bytes("first", 5), i % 32};
        pthread_t t;
        CHECK(pthread_create(&t, NULL, replay_main, &r) == 0);
        while (th_total(&log) == 0) {
            sched_yield(); /* until the first completion wakes the future */
        }
        RustBuffer got = take_first(h, &log, false);
        aa_future_free(AA_TYPE_RUST_BUFFER, h);
        CHECK(pthread_join(t, NULL) == 0);
        CHECK(holds(got, "first"));
        aa_buffer_free(got);
        CHECK_EQ(aa_buffer_live_count(), 0);
    }
    CHECK_EQ(th_misuse_count(AA_MISUSE_FOREIGN_COMPLETE_TWICE), rounds);
    CHECK_EQ(th_misuse_total(), rounds);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 200;
    CHECK(rounds > 0);
    th_misuse_install();
    for (int error = 0; error < 2; error++) {
        for (int replay = 1; replay >= 0; replay--) { /* replays first: the protection */
            for (int when = ALIVE; when <= LATE; when++) {
                for (int forgotten = 0; forgotten < (when == ALIVE ? 1 : 2); forgotten++) {
                    run(error, replay, (when_t)when, forgotten);
                }
            }
        }
    }
    race(rounds);
    th_check_no_leaks();
    printf("ok\n");
    return 0;
}
