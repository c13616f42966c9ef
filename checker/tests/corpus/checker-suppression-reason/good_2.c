/* A suppression for several rules and one for all of them, each with a reason. */
#include <stdlib.h>
#include <unistd.h>
#include "asyncabi/annotations.h"

AA_CANCEL_FN void job_cancel(char *buf)
{
    // asyncabi-check: ignore[cancel-frees,cancel-wait-ack] test helper, never exported
    free(buf);
    sleep(1); // asyncabi-check: ignore[*] test-only code path
}
