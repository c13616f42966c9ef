/* The runtime's overhead per pending future (core + handle slot, scheduler included) stays
 * within the 128-byte budget; the per-future lock is a 4-byte word, not a pthread mutex. */
#include "future_core.h"
#include "handle_table.h"
#include "harness.h"

int main(void)
{
    size_t core = sizeof(struct aa_future);
    size_t slot = sizeof(aa__slot);
    printf("core %zu + slot %zu = %zu bytes (scheduler %zu)\n", core, slot, core + slot,
           sizeof(aa__scheduler));
    CHECK(core + slot <= 128);
    CHECK(sizeof(((aa__scheduler *)0)->word) == 4);
    printf("ok\n");
    return 0;
}
