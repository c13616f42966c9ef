/* A missing header is fatal for the file, and still a diagnostic. */
#include "this/header/does/not/exist.h" // expect: checker-parse-error@10

int g(void) { return 0; }
