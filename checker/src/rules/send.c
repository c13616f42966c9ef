#include "rules/rules.h"

void aac_rules_send(aac_tu *t)
{
    (void)t;
}
