/* jobs: a small job runner whose jobs are exported as UniFFI futures.
 *
 * Jobs are queued to a worker pool (pool.c); a finished job wakes its future. spawn_job() is
 * the one place that turns a job into a future handle; submit() applies the defaults first.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asyncabi/future.h"
#include "asyncabi/waker.h"

#define JOB_PRIO_NORMAL 1
#define JOB_PRIO_HIGH 2

struct job {
    int kind;
    int prio;
    uint64_t arg;
    uint64_t result;
    _Atomic int finished;
    aa_waker *waker;
};

/* The worker pool (pool.c). */
void pool_enqueue(struct job *j);

static aa_poll job_poll(aa_future *future, void *state)
{
    struct job *j = state;
    if (!atomic_load_explicit(&j->finished, memory_order_acquire)) {
        if (!j->waker) {
            j->waker = aa_future_waker(future);
            pool_enqueue(j);
        }
        return AA_PENDING;
    }
    aa_future_return_value(future, (aa_value){.u64 = j->result});
    return AA_READY;
}

static void job_drop(void *state)
{
    struct job *j = state;
    if (j->waker) {
        aa_waker_release(j->waker);
    }
    free(j);
}

static const aa_future_vtable job_vtable = {job_poll, job_drop, "job"};

static uint64_t spawn_job(void *state)
{
    return aa_future_new(AA_TYPE_U64, &job_vtable, state);
}

static uint64_t submit(struct job *j, int prio)
{
    j->prio = prio ? prio : JOB_PRIO_NORMAL;
    return spawn_job(j);
}

static struct job *job_new(int kind, uint64_t arg)
{
    struct job *j = calloc(1, sizeof *j);
    if (!j) {
        return NULL;
    }
    j->kind = kind;
    j->arg = arg;
    atomic_init(&j->finished, 0);
    return j;
}

uint64_t uniffi_jobs_fn_func_checksum(uint64_t blob_id)
{
    struct job j;
    memset(&j, 0, sizeof j);
    j.kind = 1;
    j.arg = blob_id;
    return spawn_job(&j); // expect: send-automatic-address@12
}

uint64_t uniffi_jobs_fn_func_compress(uint64_t blob_id, uint8_t urgent)
{
    struct job *j = job_new(2, blob_id);
    if (!j) {
        return 0;
    }
    return submit(j, urgent ? JOB_PRIO_HIGH : JOB_PRIO_NORMAL);
}

uint64_t uniffi_jobs_fn_func_fingerprint(uint64_t blob_id)
{
    struct job *j = job_new(3, blob_id);
    if (!j) {
        return 0;
    }
    uint64_t attempts = 3;
    j->result = attempts; /* a value, copied */
    return submit(j, 0);
}
