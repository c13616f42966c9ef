/* A malformed suppression (no closing bracket) does not suppress and is reported. */
#include <stdlib.h>
#include "asyncabi/annotations.h"

AA_CANCEL_FN void job_cancel(char *buf)
{
    /* expect: checker-suppression-reason@52 */ // asyncabi-check: ignore[cancel-frees because
    free(buf); // expect: cancel-frees@5
}
