/* The rule table, built from rules/rules.def. */
#include "registry.h"

#include <string.h>

static const aac_rule_info rules[AAC_RULE_COUNT] = {
#define AAC_RULE(sym, id, family, sev, summary) {id, family, sev, summary},
#include "rules/rules.def"
#undef AAC_RULE
};

const aac_rule_info *aac_rule(aac_rule_id rule)
{
    return &rules[rule];
}

int aac_rule_find(const char *id)
{
    for (int i = 0; i < AAC_RULE_COUNT; i++) {
        if (strcmp(rules[i].id, id) == 0) {
            return i;
        }
    }
    return -1;
}

const char *aac_severity_name(aac_severity sev)
{
    static const char *const names[] = {"off", "note", "warning", "error"};
    return names[sev];
}

int aac_severity_parse(const char *name)
{
    for (int i = 0; i <= AAC_SEV_ERROR; i++) {
        if (strcmp(aac_severity_name((aac_severity)i), name) == 0) {
            return i;
        }
    }
    return -1;
}
