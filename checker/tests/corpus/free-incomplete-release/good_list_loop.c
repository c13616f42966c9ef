/* drop function with a loop releasing list and a goto cleanup */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include "asyncabi/future.h"
#include "asyncabi/waker.h"
struct node { struct node *next; char *payload; };
typedef struct batch { struct node *head; int fd; aa_waker *w; } batch;
static void batch_drop(void *state)
{
    batch *b = state;
    struct node *n = b->head;
    while (n) { struct node *next = n->next; free(n->payload); free(n); n = next; }
    if (b->fd >= 0) close(b->fd);
    if (b->w) aa_waker_release(b->w);
    free(b);
}
static aa_poll batch_poll(aa_future *f, void *s) { (void)s; aa_future_return_value(f, (aa_value){.u8 = 0}); return AA_READY; }
static const aa_future_vtable vt = {batch_poll, batch_drop, "batch"};
uint64_t uniffi_b_fn_func_run(void) { batch *b = calloc(1, sizeof *b); if (!b) return 0; b->fd = -1; return aa_future_new(AA_TYPE_U8, &vt, b); }
