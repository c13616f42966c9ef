/* A global list guarded by a global mutex, and a field of the listed struct guarded by it. */
#include <pthread.h>
#include <stddef.h>
#include "asyncabi/annotations.h"

struct AA_SHARED node {
    _Atomic int refs;
    struct node *next AA_GUARDED_BY(list_mu);
};

static pthread_mutex_t list_mu = PTHREAD_MUTEX_INITIALIZER;
static struct node *list_head AA_GUARDED_BY(list_mu);

void list_push(struct node *n)
{
    pthread_mutex_lock(&list_mu);
    n->next = list_head;
    list_head = n;
    pthread_mutex_unlock(&list_mu);
}

struct node *list_peek(void)
{
    return list_head; // expect: sync-guarded-access@12
}

struct node *node_next(struct node *n)
{
    return n->next; // expect: sync-guarded-access@15
}
