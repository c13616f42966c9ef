"""The reference model of one rust future, as docs/abi.md specifies it (R12-R29) and as
libasyncabi reports misuse (section 11): the executable form of the state table in section 5.

A trace is a list of steps; each step is one input (a call the binding makes, a wake, or what
the producer's poll function does when it runs) and the outputs the runtime must show for it,
in order:

    ("cont", data, code)   a continuation invoked with `data`, code 0 READY / 1 WAKE   (R20)
    ("drop",)              the producer's state released (vtable drop), exactly once
    ("misuse", name)       a misuse reported, by its stable name (asyncabi/observe.h)
    ("status", code)       the status complete returned                               (R16)

Inputs (a dict; `fut` names a future of the trace, `family` the entry point's family):

    new      fut, family, ready        an export created the future (ready: already done)
    poll     fut, family, data, producer
             producer: what the poll function does if it runs: "ready" (returns READY with a
             value), "pending" (stashes its waker), "pending-woken" (wakes itself, then PENDING)
    wake     fut                       the producer's stashed waker fires (also after free)
    cancel   fut, family
    complete fut, family
    free     fut, family
    forged   call, forge (, fut)       poll/complete/cancel/free with a handle never issued:
             forge "zero", "garbage", or "odd" (future `fut`'s handle with its low bit set)

The model never looks at threads: the runtime's concurrent-call detection is not modelled here
(test_misuse_concurrent covers it); everything else about one future is.
"""

READY, WAKE = 0, 1
EMPTY, SET, WAKED, CANCELLED = "empty", "set", "waked", "cancelled"


class Future:
    """One future: the scheduler of section 5 plus what the entry points remember."""

    def __init__(self, family, ready):
        self.family = family
        self.sched = EMPTY       # R18
        self.stored = None       # the data of the stored continuation, in SET
        self.has_result = ready  # a result not yet moved out by complete
        self.has_vtable = not ready  # aa_future_new_ready futures have no producer state
        self.dropped = ready     # the producer's state was released
        self.ready_delivered = False
        self.completed = False
        self.freed = False
        self.waker = False       # the poll function stashed a waker (wakes need one)


class Model:
    """Feeds inputs, returns the outputs the runtime must show; checks exactly-once rules."""

    def __init__(self):
        self.futures = {}
        self.outstanding = set()  # data of polls whose continuation is still owed (R20)

    # --- the scheduler transitions (the table of section 5) ---
    def _store(self, f, data):
        if f.sched == EMPTY:
            f.sched, f.stored = SET, data
            return []
        if f.sched == SET:  # R24: the displaced continuation gets WAKE
            old, f.stored = f.stored, data
            return [("cont", old, WAKE)]
        if f.sched == WAKED:  # R23: the pending wake is delivered at once
            f.sched = EMPTY
            return [("cont", data, WAKE)]
        return [("cont", data, READY)]  # CANCELLED (R25)

    def _wake(self, f):
        if f.sched == SET:
            f.sched, data, f.stored = EMPTY, f.stored, None
            return [("cont", data, WAKE)]
        if f.sched == EMPTY:
            f.sched = WAKED
        return []  # WAKED coalesces, CANCELLED ignores

    def _cancel(self, f):
        out = [("cont", f.stored, READY)] if f.sched == SET else []
        f.sched, f.stored = CANCELLED, None
        return out

    def _drop(self, f):
        if f.dropped:
            return []
        f.dropped = True
        return [("drop",)] if f.has_vtable else []

    # --- handle validation (runtime: stale before wrong family) ---
    def _reject(self, inp):
        f = self.futures.get(inp.get("fut"))
        if f is None:
            return "invalid-handle"
        if f.freed:
            return "stale-handle"
        if inp["family"] != f.family:
            return "wrong-family"
        return None

    def step(self, inp):
        op = inp["op"]
        if op == "new":
            self.futures[inp["fut"]] = Future(inp["family"], inp["ready"])
            return []
        if op == "wake":
            f = self.futures[inp["fut"]]
            assert f.waker, "a wake needs a waker the poll function stashed"
            return self._wake(f)  # R26: after free the scheduler is CANCELLED: nothing
        call = inp["call"] if op == "forged" else op
        bad = "invalid-handle" if op == "forged" else self._reject(inp)
        if call == "poll":
            self.outstanding.add(inp["data"])
            if bad:  # answered READY so that a binding never waits forever
                return [("misuse", bad), ("cont", inp["data"], READY)]
            return self._poll(self.futures[inp["fut"]], inp["data"], inp["producer"])
        if call == "complete":
            if bad:
                return [("misuse", bad), ("status", 2)]
            return self._complete(self.futures[inp["fut"]])
        if bad:
            return [("misuse", bad)]
        f = self.futures[inp["fut"]]
        if call == "cancel":  # R27
            return self._cancel(f)
        if call == "free":  # R17: like cancel, then everything goes
            cont = self._cancel(f)
            out = self._drop(f)
            f.has_result, f.freed = False, True
            return out + cont
        raise ValueError(f"unknown op {op}")

    def _poll(self, f, data, producer):
        if f.completed:
            return [("misuse", "poll-after-complete"), ("cont", data, READY)]
        if f.has_result or f.sched == CANCELLED:  # R19, R22: done or cancelled
            f.ready_delivered = True
            return [("cont", data, READY)]
        if producer == "ready":  # the poll function returns READY with its value
            f.has_result = True
            out = self._drop(f)
            f.ready_delivered = True
            return out + [("cont", data, READY)]
        f.waker = True
        woken = self._wake(f) if producer == "pending-woken" else []
        return woken + self._store(f, data)

    def _complete(self, f):
        if f.completed:
            return [("misuse", "complete-twice"), ("status", 2)]
        out = []
        if not f.ready_delivered and f.sched != CANCELLED:
            out.append(("misuse", "complete-before-ready"))
            if not f.has_result:  # nothing to move out: the future stays usable
                return out + [("status", 2)]
        status = 0 if f.has_result else 3  # R29: cancelled before a result: status 3
        f.has_result, f.completed = False, True
        return out + self._drop(f) + [("status", status)]

    def check_outputs(self, out):
        """Exactly-once bookkeeping (R20) over the outputs of one step."""
        for o in out:
            if o[0] == "cont":
                assert o[1] in self.outstanding, f"continuation {o[1]} invoked twice or never owed"
                self.outstanding.discard(o[1])

    def check_end(self):
        """After every future was freed: no continuation owed, every state dropped (R17, R20)."""
        assert all(f.freed for f in self.futures.values()), "a future was never freed"
        assert not self.outstanding, f"continuations never invoked: {sorted(self.outstanding)}"
        assert all(f.dropped for f in self.futures.values()), "a producer state never dropped"
