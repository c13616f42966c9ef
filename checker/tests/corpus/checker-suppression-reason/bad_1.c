/* A suppression with no reason still suppresses, but is itself a finding. */
#include <stdlib.h>
#include "asyncabi/annotations.h"

AA_CANCEL_FN void job_cancel(char *buf)
{
    /* expect: checker-suppression-reason@52 */ // asyncabi-check: ignore[cancel-frees]
    free(buf);
}
