/* spin.h: the runtime's one waiting primitive, for critical sections of a few instructions.
 *
 * Every lock in the runtime guards a handful of loads and stores (a scheduler transition, a
 * free-list link), never a callback, so a spin with a CPU hint is cheaper than a futex and
 * costs 4 bytes instead of pthread_mutex_t's 40. After a few rounds it yields so that a
 * preempted holder (or valgrind, which runs one thread at a time) can make progress.
 */
#ifndef AA__SPIN_H
#define AA__SPIN_H

#include <sched.h>

static inline void aa__cpu_relax(unsigned *spins)
{
    if (++*spins < 64) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        __asm__ __volatile__("yield");
#endif
    } else {
        *spins = 0;
        sched_yield();
    }
}

#endif /* AA__SPIN_H */
