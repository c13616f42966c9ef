/* drop releases the waker only when not finished */
#include <stdint.h>
#include <stdlib.h>
#include "asyncabi/future.h"
#include "asyncabi/waker.h"
typedef struct t { int finished; aa_waker *w; char *buf; } t;
static void t_drop(void *state)
{
    t *x = state;
    if (x->finished) {
        free(x->buf);
        free(x);
        return; // expect: free-incomplete-release@9
    }
    aa_waker_release(x->w);
    free(x->buf);
    free(x);
}
static aa_poll t_poll(aa_future *f, void *s) { (void)s; aa_future_return_value(f, (aa_value){.u8 = 0}); return AA_READY; }
static const aa_future_vtable vt = {t_poll, t_drop, "t"};
uint64_t uniffi_t_fn_func_x(void) { t *x = calloc(1, sizeof *x); return x ? aa_future_new(AA_TYPE_U8, &vt, x) : 0; }
