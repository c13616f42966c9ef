package asyncabi.uniffijava;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code --bench}: what one await of a C future costs through uniffi-bindgen-java's generated
 * Java, next to the JDK's own floor, in one JVM (bench/binding_await prints it beside the other
 * backends):
 *
 *     runner.sh --bench LIBRARY [AWAITS CONCURRENT ROUNDS]
 *
 * Awaiting is what the adapter's scenarios do: the caller's thread calls the generated overload
 * that takes an executor (a single-thread one, the scenario's "loop", runs every re-poll and
 * completion) and waits on the returned CompletableFuture. Rows: always_ready (ready on the
 * first poll) and say_after_with_tokio(0, "x") (woken from the fixture's own thread; AWAITS / 5
 * awaits) per await, CONCURRENT sleep(0) per batch. Prints one JSON object
 * (bench/binding_await/README.md): seconds per await or per batch, best of ROUNDS, and the
 * failures of the concurrent batches by exception class.
 */
final class Bench {
    private Bench() {}

    /** A no-op with the generated methods' shape: the cost of the reflective dispatch. */
    static CompletableFuture<Boolean> ready(Executor executor) {
        return CompletableFuture.completedFuture(Boolean.TRUE);
    }

    private interface Timed {
        double run() throws Throwable;
    }

    private interface Call {
        CompletableFuture<?> start() throws Throwable;
    }

    private final Map<String, Long> failures = new LinkedHashMap<>();
    private long failedRounds;
    private Generated gen;

    static void main(Path bindings, List<String> args) throws Throwable {
        int[] numbers = {20000, 10000, 3};  // AWAITS CONCURRENT ROUNDS
        boolean ok = !args.isEmpty() && args.size() <= 4;
        for (int i = 1; ok && i < args.size(); i++) {
            try {
                numbers[i - 1] = Integer.parseInt(args.get(i));
                ok = numbers[i - 1] >= 1;
            } catch (NumberFormatException e) {
                ok = false;
            }
        }
        if (!ok) {
            System.err.println("uniffi-java: usage: Runner --bindings DIR --bench LIBRARY [AWAITS CONCURRENT ROUNDS] (positive integers)");
            System.exit(2);
        }
        int awaits = numbers[0];
        int concurrent = numbers[1];
        int rounds = numbers[2];
        System.out.println(Json.write(new Bench().run(bindings, args.get(0), awaits, concurrent, rounds)));
        System.out.flush();
    }

    private static Object await(CompletableFuture<?> future) throws Throwable {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw e.getCause();
        }
    }

    private static CompletableFuture<?> invoke(Method m, Object... args) throws Throwable {
        try {
            return (CompletableFuture<?>) m.invoke(null, args);
        } catch (InvocationTargetException e) {
            throw e.getTargetException();
        }
    }

    private double best(int rounds, Timed timed) throws Throwable {
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < rounds; i++) {
            gen.monitorBegin("bench", 1, 1.0);  // the monitor on, its record of the last round dropped
            best = Math.min(best, timed.run());
        }
        return best;
    }

    private static double perAwait(int n, Call call) throws Throwable {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            await(call.start());
        }
        return (System.nanoTime() - start) / 1e9 / n;
    }

    /** n calls started, then all awaited; a batch in which any failed is counted, not timed. */
    private double batch(int n, Call call) throws Throwable {
        long start = System.nanoTime();
        List<CompletableFuture<?>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            futures.add(call.start());
        }
        Map<String, Long> errors = new LinkedHashMap<>();
        for (CompletableFuture<?> f : futures) {
            try {
                await(f);
            } catch (Exception e) {
                errors.merge(e.getClass().getName(), 1L, Long::sum);
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        if (errors.isEmpty()) {
            return wall;
        }
        errors.forEach((k, v) -> failures.merge(k, v, Long::sum));
        failedRounds++;
        return Double.POSITIVE_INFINITY;
    }

    private Map<String, Object> run(Path bindings, String library, int awaits, int concurrent, int rounds)
            throws Throwable {
        // The bench converts no values: interface.json's declarations are not needed.
        gen = new Generated(bindings, "futures", library, Map.of("functions", List.of()));
        Method alwaysReady = gen.callable("always_ready", null, 0).method();
        Method sleep = gen.callable("sleep", null, 1).method();
        Method sayAfter = gen.callable("say_after_with_tokio", null, 2).method();
        Method dispatch = Bench.class.getDeclaredMethod("ready", Executor.class);
        short zero = 0;
        ExecutorService loop = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "scenario-loop");
            t.setDaemon(true);
            return t;
        });
        try {
            // In this order: each floor before the binding's row, so the JIT has warmed alike.
            double floor = best(rounds, () -> perAwait(awaits,
                    () -> CompletableFuture.supplyAsync(() -> Boolean.TRUE, loop)));
            double dispatchFloor = best(rounds, () -> perAwait(awaits, () -> invoke(dispatch, loop)));
            double ready = best(rounds, () -> perAwait(awaits, () -> invoke(alwaysReady, loop)));
            double woken = best(rounds, () -> perAwait(Math.max(1, awaits / 5),
                    () -> invoke(sayAfter, zero, "x", loop)));
            double concurrentFloor = best(rounds, () -> batch(concurrent,
                    () -> CompletableFuture.supplyAsync(() -> Boolean.TRUE, loop)));
            double concurrentSleep = best(rounds, () -> batch(concurrent, () -> invoke(sleep, zero, loop)));
            gen.monitorBegin("bench", 1, 1.0);  // the monitor's record of the bench is dropped
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("backend", "uniffi-java");
            out.put("implementation", "uniffi-bindgen-java 0.5.2 generated Java (FFM API), "
                    + System.getProperty("java.vm.name") + " " + Runtime.version()
                    + ", one single-thread executor");
            out.put("floor", "CompletableFuture.supplyAsync(executor).join()");
            out.put("floor_s", floor);
            out.put("dispatch_floor_s", dispatchFloor);
            out.put("always_ready_s", ready);
            out.put("woken_s", woken);
            out.put("concurrent", (long) concurrent);
            out.put("concurrent_floor_s", concurrentFloor);
            out.put("concurrent_s", Double.isInfinite(concurrentSleep) ? null : concurrentSleep);
            out.put("failures", failures);
            out.put("failed_rounds", failedRounds);
            out.put("rounds", (long) rounds);
            return out;
        } finally {
            loop.shutdownNow();
        }
    }
}
