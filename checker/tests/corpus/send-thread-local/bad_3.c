/* Thread-specific data stored in future state. */
#include <pthread.h>
#include <stdint.h>
#include "asyncabi/annotations.h"

struct AA_FUTURE_STATE req { void *ctx; int *counter; };
static pthread_key_t ctx_key;
static _Thread_local int per_thread_counter;

void req_init(struct req *r)
{
    r->ctx = pthread_getspecific(ctx_key); // expect: send-thread-local@5
    r->counter = &per_thread_counter; // expect: send-thread-local@5
}
