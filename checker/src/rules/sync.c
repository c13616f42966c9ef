#include "rules/rules.h"

void aac_rules_sync(aac_tu *t)
{
    (void)t;
}
