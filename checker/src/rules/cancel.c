#include "rules/rules.h"

void aac_rules_cancel(aac_tu *t)
{
    (void)t;
}
