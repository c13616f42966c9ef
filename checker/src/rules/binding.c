#include "rules/rules.h"

void aac_rules_binding(aac_tu *t)
{
    (void)t;
}
