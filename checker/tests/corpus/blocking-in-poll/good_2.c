/* Blocking is fine in functions that are not reached from poll or a callback. */
#include <unistd.h>
#include <pthread.h>

static pthread_t worker;

void *worker_main(void *arg)
{
    (void)arg;
    sleep(1);
    return NULL;
}

void shutdown_all(void)
{
    pthread_join(worker, NULL);
}
