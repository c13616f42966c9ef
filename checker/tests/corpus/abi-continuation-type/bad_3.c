/* A continuation that returns a value, and one with a 32-bit data word. */
#include <stdint.h>

typedef int (*RustFutureContinuationCallback)(uint64_t data, int8_t code); // expect: abi-continuation-type@15
typedef void (*LegacyContinuationCallback)(uint32_t data, int8_t code); // expect: abi-continuation-type@16
