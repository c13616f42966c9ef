/* Not annotated shared: the rule does not apply. */
#include <stdint.h>

struct local_only {
    int state;
    uint64_t slots[8];
};
