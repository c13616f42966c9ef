/* The caller holds the lock: by the _locked naming convention, or stated with AA_REQUIRES. */
#include <pthread.h>
#include "asyncabi/annotations.h"

struct AA_SHARED queue {
    pthread_mutex_t mu;
    int head AA_GUARDED_BY(mu);
    int tail AA_GUARDED_BY(mu);
};

static struct queue q = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* Lock held. */
static void queue_reset_locked(void)
{
    q.head = 0;
    q.tail = 0;
}

static int queue_len(struct queue *p) AA_REQUIRES(p->mu);
static int queue_len(struct queue *p)
{
    return p->tail - p->head;
}

int queue_drain(void)
{
    pthread_mutex_lock(&q.mu);
    int n = queue_len(&q);
    queue_reset_locked();
    pthread_mutex_unlock(&q.mu);
    return n;
}
