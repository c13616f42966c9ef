/* Trailing form without a reason. */
#include <stdlib.h>
#include "asyncabi/annotations.h"

AA_CANCEL_FN void job_cancel(char *buf)
{
    free(buf); /* expect: checker-suppression-reason@63 */ // asyncabi-check: ignore[cancel-frees]
}
