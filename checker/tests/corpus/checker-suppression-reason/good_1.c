/* Suppressions with reasons: on the line before, and trailing. */
#include <stdlib.h>
#include "asyncabi/annotations.h"

AA_CANCEL_FN void job_cancel(char *buf, char *other)
{
    // asyncabi-check: ignore[cancel-frees] buf is a private copy the binding never sees
    free(buf);
    free(other); // asyncabi-check: ignore[cancel-frees] other is owned by this call only
}
