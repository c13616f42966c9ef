#include "rules/rules.h"

void aac_rules_locks(aac_tu *t)
{
    (void)t;
}
