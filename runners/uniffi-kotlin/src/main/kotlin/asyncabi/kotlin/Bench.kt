// `--bench`: what one await of a C future costs through UniFFI's generated Kotlin, next to
// kotlinx-coroutines' own floor, all on one single-threaded dispatcher (bench/binding_await
// prints it beside the other backends).
//
//     java @runner.args --bindings DIR --bench LIBRARY [AWAITS CONCURRENT ROUNDS]
//
// Rows: always_ready (ready on the first poll) and say_after_with_tokio(0, "x") (woken from the
// fixture's own thread; AWAITS / 5 awaits) per await, CONCURRENT sleep(0) per batch.
// Prints one JSON object (bench/binding_await/README.md): seconds per await or per batch, best
// of ROUNDS, and the failures of the concurrent batches by exception class. The generated
// functions are called through their JVM methods with the coroutine's continuation (what a
// compiled call site does), not through kotlin-reflect, so the rows hold no reflection cost; the
// cost of that dispatch on a no-op suspend function is `dispatch_floor_s`.
package asyncabi.kotlin

import java.io.File
import java.lang.reflect.InvocationTargetException
import java.lang.reflect.Method
import kotlin.coroutines.intrinsics.suspendCoroutineUninterceptedOrReturn
import kotlin.reflect.jvm.javaMethod
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.yield

private object BenchFloor {
    @Suppress("unused", "RedundantSuspendModifier")
    suspend fun ready(): Boolean = true
}

/** Calls a suspend function's JVM method (continuation last) as a compiled call site would. */
private suspend fun direct(method: Method, receiver: Any?, vararg args: Any?): Any? =
    suspendCoroutineUninterceptedOrReturn { cont ->
        try {
            method.invoke(receiver, *args, cont)
        } catch (e: InvocationTargetException) {
            throw e.targetException
        }
    }

fun bench(bindingsDir: File, library: String, awaits: Int, concurrent: Int, rounds: Int): Map<String, Any?> {
    val gen = Generated(bindingsDir, "futures", library)
    val alwaysReady = gen.callable("always_ready", null).first.javaMethod!!
    val sleep = gen.callable("sleep", null).first.javaMethod!!
    val sayAfter = gen.callable("say_after_with_tokio", null).first.javaMethod!!
    val floor = BenchFloor::class.members.first { it.name == "ready" }.let {
        (it as kotlin.reflect.KFunction<*>).javaMethod!!
    }
    val zero: Short = 0  // sleep(ms: UShort): a short on the JVM
    val executor = java.util.concurrent.Executors.newSingleThreadExecutor()
    val loop = executor.asCoroutineDispatcher()
    val failures = linkedMapOf<String, Int>()
    var failedRounds = 0
    fun round(block: suspend () -> Double): Double {
        gen.monitorBegin("bench", 1, 1.0, null)  // the monitor on, its record of the last round dropped
        return runBlocking(loop) { block() }
    }
    fun best(block: suspend () -> Double): Double = (1..rounds).minOf { round(block) }
    suspend fun perAwait(n: Int, one: suspend () -> Unit): Double {
        val start = System.nanoTime()
        repeat(n) { one() }
        return (System.nanoTime() - start) / 1e9 / n
    }
    // One batch: n coroutines started, then all awaited. A batch in which any call failed is no
    // measurement: its failures are counted and it is left out of the best.
    suspend fun batch(n: Int, one: suspend () -> Unit): Double = coroutineScope {
        val start = System.nanoTime()
        val errors = (1..n).map {
            async { try { one(); null } catch (e: Exception) { e.javaClass.name } }
        }.awaitAll().filterNotNull()
        val wall = (System.nanoTime() - start) / 1e9
        if (errors.isEmpty()) wall else {
            errors.groupingBy { it }.eachCount().forEach { (k, v) -> failures.merge(k, v, Int::plus) }
            failedRounds++
            Double.POSITIVE_INFINITY
        }
    }
    try {
        // In this order: each floor before the binding's row, so the JIT has warmed alike.
        val floorS = best { perAwait(awaits) { yield() } }
        val dispatchS = best { perAwait(awaits) { direct(floor, BenchFloor) } }
        val alwaysReadyS = best { perAwait(awaits) { direct(alwaysReady, null) } }
        val wokenS = best { perAwait(maxOf(1, awaits / 5)) { direct(sayAfter, null, zero, "x") } }
        val concurrentFloorS = best { batch(concurrent) { yield() } }
        val concurrentS = best { batch(concurrent) { direct(sleep, null, zero) } }
        val result = linkedMapOf<String, Any?>(
            "backend" to "uniffi-kotlin",
            "implementation" to "UniFFI ${gen.info["uniffi_bindgen"]} generated Kotlin (JNA, kotlinx-coroutines), " +
                "Kotlin ${KotlinVersion.CURRENT}, JVM ${System.getProperty("java.version")}, one single-threaded dispatcher",
            "floor" to "yield()",
            "floor_s" to floorS,
            "dispatch_floor_s" to dispatchS,
            "always_ready_s" to alwaysReadyS,
            "woken_s" to wokenS,
            "concurrent" to concurrent,
            "concurrent_floor_s" to concurrentFloorS,
            "concurrent_s" to if (concurrentS.isInfinite()) null else concurrentS,
            "failures" to failures,
            "failed_rounds" to failedRounds,
            "rounds" to rounds,
        )
        gen.monitorBegin("bench", 1, 1.0, null)  // the monitor's record of the bench is dropped
        return result
    } finally {
        loop.close()
    }
}
