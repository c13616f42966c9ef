package asyncabi.uniffijava;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Performs one scenario's steps with the generated Java API and reports what happened; never
 * judges (docs/runner-protocol.md). The scenario's "event loop" is a single-thread executor
 * ("scenario-loop"): every generated async call is given it as its executor (the generated
 * overload taking an Executor), so re-polls and completions run there, and the foreign
 * implementations run their bodies there. Steps themselves run on the runner's main thread,
 * which waits on the returned CompletableFutures.
 */
final class Scenario {
    /** The step cannot finish (timeout, adapter failure): later steps are skipped. */
    static final class StepAbort extends Exception {
        private static final long serialVersionUID = 1L;
        final transient Map<String, Object> outcome;

        StepAbort(Map<String, Object> outcome) {
            super(String.valueOf(outcome));
            this.outcome = outcome;
        }
    }

    private final Map<String, Object> scenario;
    private final Map<String, Generated> gens;
    private final double timeScale;
    private final String defaultFixture;
    private final long stepTimeoutMs;
    private final Map<String, Object> vars = new HashMap<>();
    private final Map<String, CompletableFuture<Object>> tasks = new HashMap<>();
    private final Map<String, Map<String, Object>> taskSpecs = new HashMap<>();
    private final ExecutorService loop;
    private final ScheduledExecutorService timer;
    private volatile Thread loopThread;
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();
    private final List<PhantomReference<Object>> watched = Collections.synchronizedList(new ArrayList<>());

    @SuppressWarnings("unchecked")
    Scenario(Map<String, Object> scenario, Map<String, Generated> gens, double timeScale) {
        this.scenario = scenario;
        this.gens = gens;
        this.timeScale = timeScale;
        this.defaultFixture = (String) ((List<Object>) scenario.get("fixtures")).get(0);
        double step = scenario.get("step_timeout_ms") instanceof Number n ? n.doubleValue() : 3000.0;
        this.stepTimeoutMs = Math.round(step * Math.max(timeScale, 1.0 / 3));
        this.loop = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "scenario-loop");
            t.setDaemon(true);
            loopThread = t;
            return t;
        });
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scenario-timer");
            t.setDaemon(true);
            return t;
        });
    }

    // --- the run ---------------------------------------------------------------------------
    @SuppressWarnings("unchecked")
    List<Object> run() {
        List<Object> outcomes = new ArrayList<>();
        String aborted = null;
        List<Object> steps = (List<Object>) scenario.get("steps");
        for (int index = 0; index < steps.size(); index++) {
            Map<String, Object> step = (Map<String, Object>) steps.get(index);
            String kind = (String) step.get("do");
            Map<String, Object> outcome;
            if (aborted != null) {
                outcome = new LinkedHashMap<>();
                outcome.put("step", (long) index);
                outcome.put("do", kind);
                outcome.put("skipped", aborted);
                outcomes.add(outcome);
                continue;
            }
            long start = System.nanoTime();
            try {
                outcome = step(kind, step);
            } catch (StepAbort abort) {
                outcome = abort.outcome;
                aborted = outcome.containsKey("failure") ? "step " + index + " failed in the runner"
                        : "step " + index + " did not finish";
            } catch (Throwable t) {
                outcome = failure(t);
                aborted = "step " + index + " failed in the runner";
            }
            outcome.putIfAbsent("elapsed_ms", ms(start));
            outcome.put("step", (long) index);
            outcome.put("do", kind);
            outcomes.add(outcome);
        }
        cleanup();
        return outcomes;
    }

    /** Like a garbage collector: cancel what still runs, drop every reference, collect. */
    private void cleanup() {
        for (CompletableFuture<Object> task : tasks.values()) {
            if (!task.isDone()) {
                task.cancel(true);
            }
        }
        for (CompletableFuture<Object> task : tasks.values()) {
            try {
                task.get(stepTimeoutMs, TimeUnit.MILLISECONDS);
            } catch (Exception ignored) {
                // ended as cancelled, failed or still running: nothing to report after the steps
            }
        }
        tasks.clear();
        taskSpecs.clear();
        watchAll(vars);  // in a frame of its own: no stale local keeps an object reachable
        vars.clear();
        collectGarbage();
        drain();
        loop.shutdown();
        timer.shutdownNow();
        try {
            loop.awaitTermination(stepTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
        }
    }

    /** Lets completions and Cleaner actions already handed to threads run (10 ms). */
    private void drain() {
        try {
            loop.submit(() -> { }).get(stepTimeoutMs, TimeUnit.MILLISECONDS);
            Thread.sleep(10);
        } catch (Exception ignored) {
            // the loop is stuck: the monitor will say what is still live
        }
    }

    private Map<String, Object> step(String kind, Map<String, Object> step) throws Throwable {
        switch (kind) {
            case "call": {
                long start = System.nanoTime();  // the call's first poll runs inside call()
                return outcomeOf(call(step, null), step, true, start);
            }
            case "spawn": return spawn(step);
            case "await": return awaitTask(step);
            case "gather": return gather(step);
            case "cancel": return cancel(step);
            case "implement": return implement(step);
            case "drop": return drop(step);
            case "sleep": return sleep(step);
            case "check_foreign": return checkForeign(step);
            case "collect_garbage": return collectGarbageStep();
            case "cancel_sweep": return cancelSweep(step);
            default: throw new IllegalArgumentException("unknown step kind " + kind);
        }
    }

    // --- helpers ---------------------------------------------------------------------------
    static double ms(long startNanos) {
        return Math.round((System.nanoTime() - startNanos) / 1000.0) / 1000.0;
    }

    private long scaled(Object ms) {
        return ms instanceof Number n ? Math.round(n.doubleValue() * timeScale) : 0;
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            out.put((String) kv[i], kv[i + 1]);
        }
        return out;
    }

    static Map<String, Object> failure(Throwable t) {
        return map("failure", t.getClass().getName() + ": " + t.getMessage(),
                "exception", t.getClass().getName());
    }

    private Generated gen(Map<String, Object> spec) {
        Object fixture = spec.get("fixture");
        return gens.get(fixture instanceof String s ? s : defaultFixture);
    }

    @SuppressWarnings("unchecked")
    private Object lookup(String ref) {
        String[] path = ref.split("\\.");
        Object value = vars.get(path[0]);
        if (!vars.containsKey(path[0])) {
            throw new IllegalArgumentException("no saved value " + path[0]);
        }
        for (int i = 1; i < path.length; i++) {
            value = value instanceof List<?> l ? l.get(Integer.parseInt(path[i]))
                    : ((Map<String, Object>) value).get(path[i]);
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private Object value(Object v) {
        if (v instanceof Map<?, ?> m && m.size() == 1 && m.containsKey("$ref")) {
            return lookup((String) m.get("$ref"));
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
                out.put(e.getKey(), value(e.getValue()));
            }
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object x : l) {
                out.add(value(x));
            }
            return out;
        }
        return v;
    }

    /** An executor for one call that hands everything to the scenario's loop (or `base`), and
     *  tells `onHandoff` each time the generated code hands it a continuation (the first one is
     *  the producer's first WAKE, or its answer when the call was ready at once). */
    static final class Observed implements Executor {
        final Executor base;
        final AtomicInteger handoffs = new AtomicInteger();
        volatile Runnable onHandoff;

        Observed(Executor base) {
            this.base = base;
        }

        @Override
        public void execute(Runnable task) {
            handoffs.incrementAndGet();
            Runnable hook = onHandoff;
            if (hook != null) {
                hook.run();
            }
            base.execute(task);
        }
    }

    /** One call through the generated API on the thread `on` names; its CompletableFuture. */
    @SuppressWarnings("unchecked")
    CompletableFuture<Object> call(Map<String, Object> spec, Observed observed) throws Exception {
        Generated gen = gen(spec);
        Object receiver = spec.containsKey("receiver") ? lookup((String) spec.get("receiver")) : null;
        List<Object> args = new ArrayList<>();
        for (Object a : spec.get("args") instanceof List<?> l ? l : List.of()) {
            args.add(value(a));
        }
        Generated.Callable c = gen.callable((String) spec.get("function"), receiver, args.size());
        String on = spec.get("on") instanceof String s ? s : "loop";
        switch (on) {
            case "loop":
                return invoke(gen, c, args, observed != null ? observed : new Observed(loop));
            case "executor": {
                if (c.async()) {
                    throw new IllegalArgumentException("an async export is not called from a plain thread");
                }
                CompletableFuture<Object> result = new CompletableFuture<>();
                Thread t = new Thread(() -> relay(() -> invoke(gen, c, args, null), result), "plain-thread");
                t.setDaemon(true);
                t.start();
                return result;
            }
            case "second_loop": {
                CompletableFuture<Object> result = new CompletableFuture<>();
                Thread t = new Thread(() -> {
                    ExecutorService second = Executors.newSingleThreadExecutor();
                    try {
                        relay(() -> invoke(gen, c, args, new Observed(second)), result);
                        try {
                            result.get(stepTimeoutMs * 2, TimeUnit.MILLISECONDS);
                        } catch (Exception ignored) {
                            // the outcome is in `result`
                        }
                    } finally {
                        second.shutdown();
                    }
                }, "second-loop");
                t.setDaemon(true);
                t.start();
                return result;
            }
            default:
                throw new IllegalArgumentException("unknown 'on': " + on);
        }
    }

    interface FutureCall {
        CompletableFuture<Object> get() throws Exception;
    }

    private static void relay(FutureCall call, CompletableFuture<Object> result) {
        try {
            call.get().whenComplete((v, t) -> {
                if (t != null) {
                    result.completeExceptionally(t);
                } else {
                    result.complete(v);
                }
            });
        } catch (Throwable t) {
            result.completeExceptionally(t);
        }
    }

    @SuppressWarnings("unchecked")
    private CompletableFuture<Object> invoke(Generated gen, Generated.Callable c, List<Object> args,
                                             Executor executor) throws Exception {
        Object[] argv = gen.arguments(c, args, executor);
        try {
            Object result = c.method() != null ? c.method().invoke(c.receiver(), argv)
                    : c.constructor().newInstance(argv);
            if (c.async()) {
                return (CompletableFuture<Object>) result;
            }
            return CompletableFuture.completedFuture(result);
        } catch (InvocationTargetException e) {
            return CompletableFuture.failedFuture(e.getCause());
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The outcome of a finished (or, with `deadline`, awaited) call. */
    private Map<String, Object> outcomeOf(CompletableFuture<Object> f, Map<String, Object> spec,
                                          boolean deadline) throws Exception {
        return outcomeOf(f, spec, deadline, System.nanoTime());
    }

    private Map<String, Object> outcomeOf(CompletableFuture<Object> f, Map<String, Object> spec,
                                          boolean deadline, long start) throws Exception {
        Map<String, Object> outcome;
        Generated gen = spec != null && spec.containsKey("function") ? gen(spec) : gens.get(defaultFixture);
        try {
            Object value = deadline ? f.get(stepTimeoutMs, TimeUnit.MILLISECONDS) : f.get();
            Map<String, Object> decl = spec == null ? null : gen.declaration(String.valueOf(spec.get("function")));
            outcome = map("value", gen.toJson(value, decl == null ? null : (String) decl.get("return")));
            if (spec != null && spec.get("save") instanceof String name) {
                vars.put(name, value);
            }
        } catch (TimeoutException e) {
            throw new StepAbort(map("timeout", true, "exception", e.getClass().getName(),
                    "elapsed_ms", ms(start)));
        } catch (CancellationException e) {
            outcome = map("cancelled", true, "exception", e.getClass().getName());
        } catch (ExecutionException e) {
            outcome = exceptionOutcome(unwrap(e), gen);
            if (outcome.containsKey("failure")) {
                throw new StepAbort(outcome);
            }
        }
        outcome.put("elapsed_ms", ms(start));
        return outcome;
    }

    private Map<String, Object> exceptionOutcome(Throwable t, Generated preferred) throws Exception {
        if (t instanceof CancellationException) {
            return map("cancelled", true, "exception", t.getClass().getName());
        }
        List<Generated> candidates = new ArrayList<>();
        candidates.add(preferred);
        candidates.addAll(gens.values());
        for (Generated g : candidates) {
            if (g.isInternal(t)) {
                return map("unexpected", String.valueOf(t.getMessage()), "exception", t.getClass().getName());
            }
            if (g.isTypedError(t)) {
                return map("error", g.describeError(t), "exception", t.getClass().getName());
            }
        }
        if (t instanceof NoSuchMethodException || t instanceof IllegalArgumentException) {
            return failure(t);
        }
        Map<String, Object> out = failure(t);
        out.put("failure", "the generated binding raised " + t.getClass().getName() + ": " + t.getMessage());
        return out;
    }

    // --- steps -----------------------------------------------------------------------------
    @SuppressWarnings("unchecked")
    private Map<String, Object> spawn(Map<String, Object> step) throws Exception {
        Map<String, Object> spec = (Map<String, Object>) step.get("call");
        String name = (String) step.get("task");
        tasks.put(name, call(spec, null));
        taskSpecs.put(name, spec);
        return map("value", null);
    }

    private Map<String, Object> awaitTask(Map<String, Object> step) throws Exception {
        String name = (String) step.get("task");
        return outcomeOf(tasks.get(name), taskSpecs.get(name), true);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> gather(Map<String, Object> step) throws Exception {
        long start = System.nanoTime();
        List<Object> order = Collections.synchronizedList(new ArrayList<>());
        List<Object> calls = (List<Object>) step.get("calls");
        List<List<CompletableFuture<Object>>> groups = new ArrayList<>();
        List<List<Long>> ends = new ArrayList<>();
        List<CompletableFuture<Object>> all = new ArrayList<>();
        for (Object o : calls) {
            Map<String, Object> spec = (Map<String, Object>) o;
            String label = spec.get("label") instanceof String s ? s : (String) spec.get("function");
            int count = spec.get("count") instanceof Number n ? n.intValue() : 1;
            List<CompletableFuture<Object>> group = new ArrayList<>();
            List<Long> groupEnds = Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < count; i++) {
                CompletableFuture<Object> f;
                try {
                    f = call(spec, null);
                } catch (Exception e) {
                    f = CompletableFuture.failedFuture(e);
                }
                // The future whenComplete returns completes after its action: the order is
                // recorded before allOf below can see the call finished.
                CompletableFuture<Object> recorded = f.whenComplete((v, t) -> {
                    groupEnds.add(System.nanoTime());
                    synchronized (order) {
                        if (!order.contains(label)) {
                            order.add(label);
                        }
                    }
                });
                group.add(f);
                all.add(recorded);
            }
            groups.add(group);
            ends.add(groupEnds);
        }
        try {
            CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]))
                    .exceptionally(t -> null).get(stepTimeoutMs * 2, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new StepAbort(map("timeout", true, "exception", e.getClass().getName(),
                    "order", new ArrayList<>(order)));
        }
        List<Object> results = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            Map<String, Object> spec = (Map<String, Object>) calls.get(g);
            String label = spec.get("label") instanceof String s ? s : (String) spec.get("function");
            List<Map<String, Object>> outcomes = new ArrayList<>();
            for (CompletableFuture<Object> f : groups.get(g)) {
                Map<String, Object> outcome = outcomeOf(f, spec, false);
                outcome.remove("elapsed_ms");
                outcomes.add(outcome);
            }
            double elapsed = 0;
            for (long end : ends.get(g)) {
                elapsed = Math.max(elapsed, Math.round((end - start) / 1000.0) / 1000.0);
            }
            if (outcomes.size() == 1) {
                Map<String, Object> one = outcomes.get(0);
                one.put("label", label);
                one.put("elapsed_ms", elapsed);
                results.add(one);
                continue;
            }
            Map<String, Map<String, Object>> distinct = new LinkedHashMap<>();
            for (Map<String, Object> outcome : outcomes) {
                String key = Json.write(new java.util.TreeMap<>(outcome));
                Map<String, Object> entry = distinct.computeIfAbsent(key, k -> {
                    Map<String, Object> e = new LinkedHashMap<>(outcome);
                    e.put("times", 0L);
                    return e;
                });
                entry.put("times", (Long) entry.get("times") + 1);
                entry.put("elapsed_ms", elapsed);
            }
            results.add(map("label", label, "count", (long) outcomes.size(),
                    "distinct", new ArrayList<Object>(distinct.values()), "elapsed_ms", elapsed));
        }
        return map("results", results, "order", new ArrayList<>(order), "elapsed_ms", ms(start));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> cancel(Map<String, Object> step) throws Exception {
        CompletableFuture<Object> task;
        Map<String, Object> spec = (Map<String, Object>) step.getOrDefault("call", taskSpecs.get(step.get("task")));
        CountDownLatch woke = new CountDownLatch(1);
        if (step.containsKey("task")) {
            task = tasks.get((String) step.get("task"));
        } else {
            Observed observed = new Observed(loop);
            if ("first_wake".equals(step.get("after"))) {
                observed.onHandoff = woke::countDown;
            }
            task = call(spec, observed);
        }
        if ("first_wake".equals(step.get("after"))) {
            if (!woke.await(stepTimeoutMs, TimeUnit.MILLISECONDS)) {
                task.cancel(true);
                throw new StepAbort(map("timeout", true, "exception", "java.util.concurrent.TimeoutException",
                        "message", "no WAKE arrived before the deadline"));
            }
        } else {
            Thread.sleep(scaled(step.get("after_ms")));
        }
        boolean wasDone = task.isDone();
        long start = System.nanoTime();
        task.cancel(true);  // CompletableFuture.cancel: the generated future cancels the Rust future
        Map<String, Object> outcome = outcomeOf(task, spec, true);
        outcome.put("finished_before_cancel", wasDone);
        outcome.put("cancel_latency_ms", ms(start));
        return outcome;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> implement(Map<String, Object> step) throws Exception {
        String fixture = step.get("fixture") instanceof String s ? s : defaultFixture;
        Generated gen = gens.get(fixture);
        String name = (String) step.get("interface");
        Map<String, Object> decl = (Map<String, Object>) ((Map<String, Object>) gen.iface.get("types")).get(name);
        Class<?> type = gen.type(name);
        if (!type.isInterface()) {
            throw new IllegalArgumentException("the generated " + type.getName()
                    + " is a class: the foreign side cannot implement it");
        }
        Foreign foreign = new Foreign(gen, decl, (Map<String, Object>) step.get("methods"));
        Object proxy = Proxy.newProxyInstance(gen.loader, new Class<?>[] {type}, foreign);
        vars.put((String) step.get("save"), proxy);
        return map("value", null);
    }

    /** The adapter's handler behind a foreign object, or null. Read from the proxy itself, not
     *  from a table: a table would keep every foreign object reachable, so the cleanup's
     *  collection (which waits until each watched object is collected) waited its whole
     *  deadline in every scenario that implements an interface. */
    private static Foreign foreignOf(Object proxy) {
        return proxy != null && Proxy.isProxyClass(proxy.getClass())
                && Proxy.getInvocationHandler(proxy) instanceof Foreign f ? f : null;
    }

    /** A callback interface implemented as any user would: a Proxy whose async methods return
     *  CompletableFutures completed on the scenario's loop after the declared behaviour. */
    final class Foreign implements InvocationHandler {
        final Generated gen;
        final Map<String, Map<String, Object>> methods = new HashMap<>();
        final Map<String, Map<String, Object>> behaviours = new HashMap<>();
        final Map<String, Map<String, Object>> stats = new HashMap<>();

        @SuppressWarnings("unchecked")
        Foreign(Generated gen, Map<String, Object> decl, Map<String, Object> declared) {
            this.gen = gen;
            for (Object o : (List<Object>) decl.get("methods")) {
                Map<String, Object> m = (Map<String, Object>) o;
                String snake = (String) m.get("name");
                methods.put(Generated.lowerCamel(snake), m);
                Object b = declared.get(snake);
                behaviours.put(snake, b instanceof Map<?, ?> bm ? (Map<String, Object>) bm
                        : map("result", "exception", "message", "not implemented"));
                stats.put(snake, Collections.synchronizedMap(map("started", 0L, "completed", 0L,
                        "failed", 0L, "cancelled", 0L, "threads", Collections.synchronizedList(new ArrayList<>()))));
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "hashCode": return System.identityHashCode(proxy);
                case "equals": return proxy == args[0];
                case "toString": return "Foreign" + methods.keySet();
                default: break;
            }
            Map<String, Object> decl = methods.get(method.getName());
            if (decl == null) {
                throw new UnsupportedOperationException(method.getName());
            }
            String snake = (String) decl.get("name");
            Map<String, Object> spec = behaviours.get(snake);
            Map<String, Object> st = stats.get(snake);
            Map<String, Object> named = new HashMap<>();
            List<String> argNames = new ArrayList<>();
            for (Object a : decl.get("args") instanceof List<?> l ? l : List.of()) {
                argNames.add((String) ((Map<String, Object>) a).get("name"));
            }
            List<String> argTypes = Generated.argTypes(decl);
            for (int i = 0; args != null && i < args.length && i < argNames.size(); i++) {
                named.put(argNames.get(i), gen.toJson(args[i], argTypes.get(i)));
            }
            Type returned = method.getGenericReturnType();
            if (!Boolean.TRUE.equals(decl.get("async"))) {
                bump(st, "started");
                try {
                    Object v = produce(spec, decl, named, returned);
                    bump(st, "completed");
                    return v;
                } catch (Throwable t) {
                    bump(st, "failed");
                    throw t;
                }
            }
            Type inner = returned instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
            CompletableFuture<Object> result = new CompletableFuture<>();
            bump(st, "started");
            result.whenComplete((v, t) -> {
                if (t == null) {
                    bump(st, "completed");
                } else if (t instanceof CancellationException) {
                    bump(st, "cancelled");
                } else {
                    bump(st, "failed");
                }
            });
            long delay = 0;
            Object d = resolve(spec.getOrDefault("delay_ms", 0L), named, proxy);
            if (d instanceof Number n) {
                delay = Math.round(n.doubleValue() * timeScale);
            }
            Runnable body = () -> {
                ((List<Object>) st.get("threads")).add(Thread.currentThread() == loopThread ? "main" : "other");
                try {
                    String what = String.valueOf(spec.getOrDefault("result", "value"));
                    if (what.equals("never")) {
                        return;  // completes only by being cancelled
                    }
                    if (what.equals("call")) {
                        Map<String, Object> call = new LinkedHashMap<>((Map<String, Object>) spec.get("call"));
                        List<Object> callArgs = new ArrayList<>();
                        for (Object a : call.get("args") instanceof List<?> l ? l : List.of()) {
                            callArgs.add(resolve(a, named, proxy));
                        }
                        call.put("args", callArgs);
                        long plus = spec.get("plus") instanceof Number n ? n.longValue() : 0;
                        Scenario.this.call(call, null).whenComplete((v, t) -> {
                            if (t != null) {
                                result.completeExceptionally(unwrap(t));
                                return;
                            }
                            try {
                                Generated g = gen(call);
                                Map<String, Object> called = g.declaration((String) call.get("function"));
                                Object jv = g.toJson(v, called == null ? null : (String) called.get("return"));
                                Object sum = new java.math.BigInteger(String.valueOf(jv)).add(java.math.BigInteger.valueOf(plus));
                                result.complete(gen.toBinding(sum, inner, (String) decl.get("return")));
                            } catch (Exception e) {
                                result.completeExceptionally(e);
                            }
                        });
                        return;
                    }
                    result.complete(produce(spec, decl, named, inner));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            };
            if (delay > 0) {
                timer.schedule(() -> loop.execute(body), delay, TimeUnit.MILLISECONDS);
            } else {
                loop.execute(body);
            }
            return result;
        }

        @SuppressWarnings("unchecked")
        private Object produce(Map<String, Object> spec, Map<String, Object> decl, Map<String, Object> named,
                               Type type) throws Throwable {
            String what = String.valueOf(spec.getOrDefault("result", "value"));
            switch (what) {
                case "value":
                    return gen.toBinding(resolve(spec.get("value"), named, null), type, (String) decl.get("return"));
                case "error":
                    throw gen.makeError((String) decl.get("throws"), resolve(spec.get("error"), named, null));
                case "exception":
                    throw new RuntimeException(String.valueOf(spec.getOrDefault("message",
                            "unexpected exception from the foreign side")));
                default:
                    throw new IllegalArgumentException("unknown behaviour result " + what);
            }
        }
    }

    private static void bump(Map<String, Object> st, String key) {
        synchronized (st) {
            st.put(key, (Long) st.get(key) + 1);
        }
    }

    @SuppressWarnings("unchecked")
    private static Object resolve(Object template, Map<String, Object> named, Object self) {
        if (template instanceof Map<?, ?> m && m.containsKey("$arg")) {
            Object v = named.get((String) m.get("$arg"));
            if (m.get("plus") instanceof Number p && v instanceof Number n) {
                return n.longValue() + p.longValue();
            }
            return v;
        }
        if (template instanceof Map<?, ?> m && m.containsKey("$self")) {
            return self;
        }
        if (template instanceof Map<?, ?> m && m.get("$format") instanceof String f) {
            String out = f;
            for (Map.Entry<String, Object> e : named.entrySet()) {
                out = out.replace("{" + e.getKey() + "}", String.valueOf(e.getValue()));
            }
            return out;
        }
        return template;
    }

    private Map<String, Object> drop(Map<String, Object> step) {
        Object v = vars.remove((String) step.get("value"));
        watch(v);
        v = null;
        collectGarbage();
        return map("value", null);
    }

    private void watchAll(Object v) {
        if (v instanceof List<?> list) {
            for (Object x : list) {
                watchAll(x);
            }
        } else if (v instanceof Map<?, ?> map) {
            for (Object x : map.values()) {
                watchAll(x);
            }
        } else if (v instanceof AutoCloseable || (v != null && Proxy.isProxyClass(v.getClass()))) {
            watch(v);
        }
    }

    private void watch(Object v) {
        if (v != null) {
            watched.add(new PhantomReference<>(v, collected));
        }
    }

    /** System.gc() until every watched object (and a sentinel) is confirmed collected through
     *  the reference queue, then lets the generated Cleaner's actions run. Returns how many. */
    private long collectGarbage() {
        Object sentinel = new Object();
        watch(sentinel);
        sentinel = null;
        long seen = 0;
        long deadline = System.nanoTime() + stepTimeoutMs * 1_000_000L;
        while (System.nanoTime() < deadline && seen < watched.size()) {
            System.gc();
            try {
                while (collected.remove(20) != null) {
                    seen++;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        watched.clear();
        try {
            // The generated Cleaner's actions became runnable in the same collection; its own
            // thread runs them (the free of each object) shortly after.
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return seen;
    }

    private Map<String, Object> collectGarbageStep() {
        long seen = collectGarbage();
        return map("value", null, "collected", seen);
    }

    private Map<String, Object> sleep(Map<String, Object> step) throws InterruptedException {
        Thread.sleep(scaled(step.get("ms")));
        return map("value", null);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> checkForeign(Map<String, Object> step) throws InterruptedException {
        Foreign foreign = foreignOf(lookup((String) step.get("object")));
        if (foreign == null) {
            throw new IllegalArgumentException(step.get("object") + " is not a foreign object");
        }
        Map<String, Object> st = foreign.stats.get((String) step.get("method"));
        Map<String, Object> want = step.get("expect") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        long deadline = System.nanoTime() + (scaled(step.get("within_ms")) + 50) * 1_000_000L;
        while (System.nanoTime() < deadline) {
            boolean all = true;
            synchronized (st) {
                for (Map.Entry<String, Object> e : want.entrySet()) {
                    Object have = st.get(e.getKey());
                    if (!(have instanceof Number h && e.getValue() instanceof Number w && h.longValue() == w.longValue())) {
                        all = false;
                    }
                }
            }
            if (all) {
                break;
            }
            Thread.sleep(5);
        }
        Map<String, Object> value = new LinkedHashMap<>();
        List<Object> threads;
        synchronized (st) {
            for (String k : List.of("started", "completed", "failed", "cancelled")) {
                value.put(k, st.get(k));
            }
            threads = new ArrayList<>((List<Object>) st.get("threads"));
        }
        return map("value", value, "threads", threads);
    }

    /** `count` calls, each cancelled with CompletableFuture.cancel: every third at the moment
     *  the generated code hands the producer's first continuation to the executor (before the
     *  re-poll runs), the others after offsets spread across around_ms ± spread_ms. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> cancelSweep(Map<String, Object> step) throws Exception {
        long start = System.nanoTime();
        Map<String, Object> spec = (Map<String, Object>) step.get("call");
        int count = ((Number) step.get("count")).intValue();
        double around = step.get("around_ms") instanceof Number n ? n.doubleValue() : 0;
        double spread = step.get("spread_ms") instanceof Number n ? n.doubleValue() : 0;
        long before = 0, at = 0, after = 0;
        Map<String, Map<String, Object>> distinct = new LinkedHashMap<>();
        int offsets = count - (count + 2) / 3;
        int k = 0;
        for (int i = 0; i < count; i++) {
            Observed observed = new Observed(loop);
            CompletableFuture<?>[] holder = new CompletableFuture<?>[1];
            boolean[] atHandoff = new boolean[1];
            boolean atAnswer = i % 3 == 0;
            if (atAnswer) {
                // Queued on the single-thread loop ahead of the re-poll the generated code is
                // handing over: the cancel lands after the producer answered, before the
                // awaiting side resumes (not on the producer's waking thread).
                observed.onHandoff = () -> {
                    CompletableFuture<?> f = holder[0];
                    if (f != null && !atHandoff[0]) {
                        atHandoff[0] = true;
                        loop.execute(() -> f.cancel(true));
                    }
                };
            }
            CompletableFuture<Object> f = call(spec, observed);
            holder[0] = f;
            if (atAnswer) {
                try {
                    f.get(stepTimeoutMs, TimeUnit.MILLISECONDS);
                } catch (ExecutionException | CancellationException ignored) {
                    // the outcome is read below
                }
                if (atHandoff[0]) {
                    at++;
                } else {
                    after++;  // finished before any continuation: ready at the first poll
                }
            } else {
                double offset = offsets <= 1 ? around
                        : around - spread + 2 * spread * k / (offsets - 1);
                k++;
                long nanos = Math.max(0, Math.round(offset * timeScale * 1_000_000));
                long until = System.nanoTime() + nanos;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                if (f.isDone()) {
                    after++;
                } else if (observed.handoffs.get() > 0) {
                    at++;
                } else {
                    before++;
                }
                f.cancel(true);
            }
            Map<String, Object> outcome = outcomeOf(f, spec, true);
            outcome.remove("elapsed_ms");
            String key = Json.write(new java.util.TreeMap<>(outcome));
            distinct.computeIfAbsent(key, x -> {
                Map<String, Object> e = new LinkedHashMap<>(outcome);
                e.put("times", 0L);
                return e;
            });
            Map<String, Object> e = distinct.get(key);
            e.put("times", (Long) e.get("times") + 1);
        }
        return map("value", map("runs", (long) count, "landed",
                        map("before_answer", before, "at_answer", at, "after_completion", after)),
                "distinct", new ArrayList<Object>(distinct.values()), "elapsed_ms", ms(start));
    }
}
