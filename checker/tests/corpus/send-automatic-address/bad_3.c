/* Future state that points into the poll function's frame; a dropped struct handle too. */
#include <stdint.h>
#include "asyncabi/abi.h"
#include "asyncabi/annotations.h"

struct AA_FUTURE_STATE job {
    char *scratch;
    int *progress;
};

void job_start(struct job *j, UniffiForeignFutureDroppedCallbackStruct *out_dropped)
{
    char buf[64];
    int progress = 0;
    j->scratch = buf; // expect: send-automatic-address@5
    j->progress = &progress; // expect: send-automatic-address@5
    out_dropped->handle = (uint64_t)(uintptr_t)&progress; // expect: send-automatic-address@5
}

void job_start_laundered(struct job *j)
{
    int progress = 0;
    int *p = &progress;
    j->progress = p; // expect: send-automatic-address@5
}
