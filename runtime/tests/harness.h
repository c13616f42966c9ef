/* harness.h: what every runtime test shares: checks, a continuation recorder, a misuse
 * recorder, and a "manual" producer future whose readiness the test controls. */
#ifndef AA_TEST_HARNESS_H
#define AA_TEST_HARNESS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "asyncabi/asyncabi.h"

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);           \
            exit(1);                                                                           \
        }                                                                                      \
    } while (0)

#define CHECK_EQ(a, b)                                                                         \
    do {                                                                                       \
        long long aa_a_ = (long long)(a), aa_b_ = (long long)(b);                              \
        if (aa_a_ != aa_b_) {                                                                  \
            fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %lld, %s == %lld\n", __FILE__,      \
                    __LINE__, #a, aa_a_, #b, aa_b_);                                           \
            exit(1);                                                                           \
        }                                                                                      \
    } while (0)

/* --- Continuations: pass &log as callback_data, with th_continuation as the callback --- */
typedef struct th_log {
    _Atomic int ready;
    _Atomic int wake;
} th_log;

void th_continuation(uint64_t data, int8_t code);
static inline uint64_t th_data(th_log *log) { return (uint64_t)(uintptr_t)log; }
static inline int th_total(th_log *log) { return atomic_load(&log->ready) + atomic_load(&log->wake); }

/* --- Misuse: records every report (instead of printing it) --- */
void th_misuse_install(void);
int th_misuse_count(aa_misuse_code code);
int th_misuse_total(void);
aa_misuse_code th_misuse_last(void);
void th_misuse_reset(void);

/* --- Manual future: PENDING (stashing its waker) until th_manual_set_ready() --- */
typedef struct th_manual {
    _Atomic int ready;       /* set by the test; read by poll */
    int polls;               /* number of producer polls */
    int wake_in_poll;        /* if set, the poll function wakes its own waker before PENDING */
    uint64_t value;          /* returned as u64 / or as the low bits of the family */
    _Atomic(aa_waker *) waker;
    _Atomic int *drops;      /* incremented by drop */
} th_manual;

extern const aa_future_vtable th_manual_vtable;
/* Creates a manual future of family `type`; *state_out (optional) is the producer state, valid
 * until drop. */
uint64_t th_manual_new(aa_type type, _Atomic int *drops, th_manual **state_out);
/* Marks ready and wakes the stashed waker (if any). */
void th_manual_set_ready(th_manual *m);
/* Wakes the stashed waker without making the future ready. */
void th_manual_wake(th_manual *m);

/* Checks that nothing leaked: futures, buffers and foreign calls. */
void th_check_no_leaks(void);

#endif /* AA_TEST_HARNESS_H */
