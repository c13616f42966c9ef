// `--bench`: what one await of a C future costs through UniFFI's generated Kotlin, next to
// kotlinx-coroutines' own floor and the adapter's reflection floor, all on one single-threaded
// dispatcher (bench/kotlin_await/run.py prints them beside the reference Python binding).
//
//     java @runner.args --bindings DIR --bench LIBRARY [AWAITS CONCURRENT ROUNDS]
//
// Prints one JSON object: seconds per await or per batch, best of ROUNDS.
package asyncabi.kotlin

import java.io.File
import kotlin.reflect.full.callSuspend
import kotlin.reflect.jvm.isAccessible
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.yield

private object BenchFloor {
    @Suppress("unused")
    suspend fun ready(): Boolean = true
}

fun bench(bindingsDir: File, library: String, awaits: Int, concurrent: Int, rounds: Int): Map<String, Any?> {
    val gen = Generated(bindingsDir, "futures", library)
    gen.monitorBegin("bench", 1, 1.0, null)
    val (alwaysReady, _) = gen.callable("always_ready", null)
    val (sleep, _) = gen.callable("sleep", null)
    val floor = BenchFloor::class.members.first { it.name == "ready" }.apply { isAccessible = true }
    val executor = java.util.concurrent.Executors.newSingleThreadExecutor()
    val loop = executor.asCoroutineDispatcher()
    fun best(block: suspend () -> Double): Double = (1..rounds).minOf { runBlocking(loop) { block() } }
    suspend fun perAwait(n: Int, one: suspend () -> Unit): Double {
        val start = System.nanoTime()
        repeat(n) { one() }
        return (System.nanoTime() - start) / 1e9 / n
    }
    suspend fun batch(n: Int, one: suspend () -> Unit): Double = coroutineScope {
        val start = System.nanoTime()
        (1..n).map { async { one() } }.awaitAll()
        (System.nanoTime() - start) / 1e9
    }
    try {
        val result = linkedMapOf<String, Any?>(
            "implementation" to "UniFFI ${gen.info["uniffi_bindgen"]} generated Kotlin, Kotlin ${KotlinVersion.CURRENT}, JVM ${System.getProperty("java.version")}",
            "yield_s" to best { perAwait(awaits) { yield() } },
            "reflection_floor_s" to best { perAwait(awaits) { floor.callSuspend(BenchFloor) } },
            "always_ready_s" to best { perAwait(awaits / 4) { gen.invoke(alwaysReady, null, emptyList()) } },
            "concurrent_yield_s" to best { batch(concurrent) { yield() } },
            "concurrent_sleep0_s" to best { batch(concurrent) { gen.invoke(sleep, null, listOf(0L)) } },
        )
        gen.monitorBegin("bench", 1, 1.0, null)  // the monitor's record of the bench is dropped
        return result
    } finally {
        loop.close()
    }
}
