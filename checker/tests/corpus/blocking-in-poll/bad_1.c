/* A poll function that sleeps instead of arming a timer. */
#include <unistd.h>
#include "asyncabi/future.h"

static aa_poll sleepy_poll(aa_future *f, void *state)
{
    (void)f;
    (void)state;
    usleep(1000); // expect: blocking-in-poll@5
    return AA_READY;
}
static const aa_future_vtable vt = {sleepy_poll, NULL, "sleepy"};
const aa_future_vtable *sleepy_vtable(void) { return &vt; }
