/* asyncabi/timer.h: "wake me in N ns" without a thread per future.
 *
 * One service thread per process (started on first use) keeps a min-heap of deadlines on the
 * monotonic clock and fires each timer's waker once, outside its lock.
 */
#ifndef ASYNCABI_TIMER_H
#define ASYNCABI_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "asyncabi/waker.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Nanoseconds on the monotonic clock. */
uint64_t aa_now_ns(void);

/* Schedules `waker` to be woken once at monotonic time `deadline_ns`; takes ownership of one
 * reference. Returns a timer id (never 0), or 0 if the service could not start. */
uint64_t aa_timer_at(uint64_t deadline_ns, aa_waker *waker);
/* Same as aa_timer_at(aa_now_ns() + delay_ns, waker). */
uint64_t aa_timer_after(uint64_t delay_ns, aa_waker *waker);
/* Cancels a pending timer and releases its waker; false if it already fired or is unknown. */
bool aa_timer_cancel(uint64_t timer_id);
/* Stops the service thread after cancelling every pending timer (tests, leak checks). */
void aa_timer_shutdown(void);

#ifdef __cplusplus
}
#endif

#endif /* ASYNCABI_TIMER_H */
