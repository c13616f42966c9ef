#include <stdlib.h>
#include "asyncabi/annotations.h"
AA_CANCEL_FN void c(char *a, char *b)
{
    free(a); // asyncabi-check: ignore[cancel-frees] scratch copy
    // asyncabi-check: ignore[cancel-frees
    free(b);
}
