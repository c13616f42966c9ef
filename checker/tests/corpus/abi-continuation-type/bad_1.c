/* A continuation typedef with an int poll code. */
#include <stdint.h>

typedef void (*UniffiRustFutureContinuationCallback)(uint64_t data, int poll_result); // expect: abi-continuation-type@16
