/* openguard.h: refusing non-regular files where libclang opens headers (see openguard.c). */
#ifndef AAC_OPENGUARD_H
#define AAC_OPENGUARD_H

/* Turns the refusal of non-regular read-only opens on (1) or off (0) for this process. */
void aac_open_guard(int on);

/* Non-zero while a guarded open(2) is running, or after a fault left one (a crash recovery
 * jumped out of it): lets the fuzzer tell a fault of ours inside a parse from libclang's. */
int aac_open_guard_inside(void);

#endif /* AAC_OPENGUARD_H */
