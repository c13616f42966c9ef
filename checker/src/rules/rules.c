/* Runs every rule family on one translation unit, in registry order. */
#include "rules/rules.h"

void aac_rules_run(aac_tu *t)
{
    aac_rules_abi(t);
    aac_rules_send(t);
    aac_rules_sync(t);
    aac_rules_locks(t);
    aac_rules_cancel(t);
    aac_rules_blocking(t);
    aac_rules_binding(t);
}
