/* openguard.h: refusing non-regular files where libclang opens headers (see openguard.c). */
#ifndef AAC_OPENGUARD_H
#define AAC_OPENGUARD_H

/* Turns the refusal of non-regular read-only opens on (1) or off (0) for this process. */
void aac_open_guard(int on);

#endif /* AAC_OPENGUARD_H */
