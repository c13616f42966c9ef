/* rules/rules.h: one entry point per rule family; each reads the TU model and reports. */
#ifndef AAC_RULES_H
#define AAC_RULES_H

#include "ast.h"

/* ABI shape: exports, future families, continuation type, layouts, vtables, codes, linkage. */
void aac_rules_abi(aac_tu *t);
/* Send: automatic and thread-local addresses escaping into future state or callback data. */
void aac_rules_send(aac_tu *t);
/* Sync: fields of shared structs, and guarded fields accessed without their mutex. */
void aac_rules_sync(aac_tu *t);
/* Locks: callbacks invoked with a lock held. */
void aac_rules_locks(aac_tu *t);
/* Cancellation: cancel/free paths, foreign complete exactly once, waiting in cancel. */
void aac_rules_cancel(aac_tu *t);
/* Blocking: blocking calls reachable from poll functions and continuations. */
void aac_rules_blocking(aac_tu *t);
/* Binding side: handle leaks, complete before READY, use after free. */
void aac_rules_binding(aac_tu *t);

/* Runs every family on `t`. */
void aac_rules_run(aac_tu *t);

#endif /* AAC_RULES_H */
