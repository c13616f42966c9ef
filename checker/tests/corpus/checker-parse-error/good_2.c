/* C11 features parse: _Atomic, _Thread_local, _Static_assert, generic selections. */
#include <stdatomic.h>
#include <stdint.h>

_Static_assert(sizeof(uint64_t) == 8, "u64");
static _Thread_local int tl;
static _Atomic int counter;
#define kind(x) _Generic((x), int: 1, default: 0)
int use(void) { return kind(tl) + atomic_load(&counter); }
