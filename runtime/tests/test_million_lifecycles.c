/* A million future lifecycles (pending, woken, ready, completed, freed, in batches so many are
 * live at once) leave nothing behind: aa_future_live_count() and aa_buffer_live_count() are 0
 * and every state was dropped. argv[1]: the number of lifecycles. */
#include "harness.h"

#define BATCH 1000

int main(int argc, char **argv)
{
    long total = argc > 1 ? atol(argv[1]) : 1000000;
    th_misuse_install();
    _Atomic int drops = 0;
    static uint64_t handles[BATCH];
    static th_manual *states[BATCH];
    th_log log = {0};
    long done = 0;
    while (done < total) {
        int n = total - done < BATCH ? (int)(total - done) : BATCH;
        for (int i = 0; i < n; i++) {
            handles[i] = th_manual_new(i % 2 ? AA_TYPE_RUST_BUFFER : AA_TYPE_U64, &drops, &states[i]);
            aa_future_poll(i % 2 ? AA_TYPE_RUST_BUFFER : AA_TYPE_U64, handles[i], th_continuation,
                           th_data(&log));
        }
        CHECK_EQ(aa_future_live_count(), n);
        for (int i = 0; i < n; i++) {
            if (i % 2) {
                states[i]->value = 0; /* the rust_buffer family returns an empty buffer */
            }
            th_manual_set_ready(states[i]);
        }
        for (int i = 0; i < n; i++) {
            aa_type t = i % 2 ? AA_TYPE_RUST_BUFFER : AA_TYPE_U64;
            aa_future_poll(t, handles[i], th_continuation, th_data(&log));
            RustCallStatus st = {0};
            aa_value v = aa_future_complete(t, handles[i], &st);
            CHECK_EQ(st.code, 0);
            if (t == AA_TYPE_RUST_BUFFER) {
                aa_buffer_free(v.rust_buffer);
            }
            aa_future_free(t, handles[i]);
        }
        done += n;
    }
    CHECK_EQ(atomic_load(&drops), total);
    CHECK_EQ(atomic_load(&log.wake), total);
    CHECK_EQ(atomic_load(&log.ready), total);
    CHECK_EQ(th_misuse_total(), 0);
    th_check_no_leaks();
    printf("ok: %ld lifecycles\n", total);
    return 0;
}
