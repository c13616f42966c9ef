/* A missing header is fatal for the file, and still a diagnostic. */
#include "this/header/does/not/exist.h" // expect: checker-parse-error

int g(void) { return 0; }
