/* Spelled with other typedefs of the same types. */
#include <stdint.h>

typedef uint64_t word;
typedef signed char code_t;
typedef void (*MyContinuationCallback)(word data, code_t poll_result);
