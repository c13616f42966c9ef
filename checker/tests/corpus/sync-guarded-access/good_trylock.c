/* poll uses trylock and a non-blocking accept4; worker thread sleeps */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include "asyncabi/future.h"
typedef struct srv { int fd; pthread_mutex_t mu; int conns; } srv;
static void *ticker(void *a) { srv *s = a; for (;;) { sleep(1); pthread_mutex_lock(&s->mu); s->conns = 0; pthread_mutex_unlock(&s->mu); } return NULL; }
static aa_poll srv_poll(aa_future *f, void *state)
{
    srv *s = state;
    if (pthread_mutex_trylock(&s->mu) == 0) { s->conns++; pthread_mutex_unlock(&s->mu); }
    struct pollfd;
    aa_future_return_value(f, (aa_value){.i32 = 0});
    return AA_READY;
}
static void srv_drop(void *state) { srv *s = state; close(s->fd); free(s); }
static const aa_future_vtable vt = {srv_poll, srv_drop, "srv"};
uint64_t uniffi_s_fn_func_serve(int32_t fd)
{
    srv *s = calloc(1, sizeof *s);
    if (!s) return 0;
    s->fd = fd;
    pthread_mutex_init(&s->mu, NULL);
    pthread_t t; pthread_create(&t, NULL, ticker, s);
    return aa_future_new(AA_TYPE_I32, &vt, s);
}
