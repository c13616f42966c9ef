#include <stdlib.h>
#include "asyncabi/annotations.h"
/* café ÿþ invalid UTF-8 on purpose */
AA_CANCEL_FN void c(char *p) { free(p); /* résumé */ }
