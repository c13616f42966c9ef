/* registry.h: the table of rules (rules/rules.def) and their severities. */
#ifndef AAC_REGISTRY_H
#define AAC_REGISTRY_H

typedef enum aac_severity {
    AAC_SEV_OFF = 0,
    AAC_SEV_NOTE = 1,
    AAC_SEV_WARNING = 2,
    AAC_SEV_ERROR = 3
} aac_severity;

typedef enum aac_rule_id {
#define AAC_RULE(sym, id, family, sev, summary) AAC_##sym,
#include "rules/rules.def"
#undef AAC_RULE
    AAC_RULE_COUNT
} aac_rule_id;

typedef struct aac_rule_info {
    const char *id;
    const char *family;
    aac_severity severity; /* the default */
    const char *summary;
} aac_rule_info;

/* Returns the registry entry of `rule` (never NULL for a valid id). */
const aac_rule_info *aac_rule(aac_rule_id rule);
/* Returns the rule whose id is `id`, or -1 when there is none. */
int aac_rule_find(const char *id);
/* Returns the embedded docs/rules/<id>.md page of `rule`, or NULL if none was embedded. */
const char *aac_rule_doc(aac_rule_id rule);
/* Returns "off", "note", "warning" or "error". */
const char *aac_severity_name(aac_severity sev);
/* Parses a severity name; returns -1 when `name` is not one. */
int aac_severity_parse(const char *name);

#endif /* AAC_REGISTRY_H */
