#include "rules/rules.h"

void aac_rules_blocking(aac_tu *t)
{
    (void)t;
}
