// The stdio runner of the uniffi-kotlin backend (docs/runner-protocol.md): the protocol loop.
//
//     java @BUILD/runners/uniffi-kotlin/runner.args --bindings DIR
//
// DIR holds one folder per fixture with the Kotlin file uniffi-bindgen generated from the
// fixture's UDL and its bindings.json (generate.py); the generated code is compiled into this
// runner's class path (pom.xml). One JVM serves every run of a conformance session. Reads one
// JSON request per line on stdin, writes one JSON answer per line on stdout; anything else goes
// to stderr.
package asyncabi.kotlin

import java.io.File
import java.io.PrintStream
import kotlin.reflect.full.callSuspend
import kotlin.reflect.jvm.isAccessible
import kotlin.system.exitProcess
import kotlinx.coroutines.asCoroutineDispatcher

const val PROTOCOL_VERSION = 1
const val VERSION = "0.1.0"

// What UniFFI 0.32.2's generated Kotlin really supports (docs/findings.md has what fails):
//   cancellation   Job.cancel() on the awaiting coroutine; the generated code then frees the future
//   foreign_async  suspend methods of callback interfaces (vtables, complete, dropped callback)
//   threads        awaits from a second thread with its own event loop (runBlocking), and foreign
//                  calls that arrive on threads the JVM did not start (JNA callback threads)
// async_primary_constructor is not declared: the generator rejects async primary constructors.
val CAPABILITIES = listOf("cancellation", "foreign_async", "threads")

class Runner(private val bindingsDir: File, private val out: PrintStream) {
    private val generated = HashMap<Pair<String, String>, Generated>()
    private val interfaces = HashMap<String, Map<String, Any?>>()

    /** Loads and JIT-warms the adapter's own machinery (kotlin-reflect's suspend calls,
     * coroutine dispatchers, proxies) once, before the first scenario: its cost is the JVM's and
     * the adapter's, not the binding's, and would otherwise land in the first timed step. */
    private fun warmUp() {
        val fn = Warm::class.members.first { it.name == "echo" }.apply { isAccessible = true }
        val dispatcher = java.util.concurrent.Executors.newSingleThreadExecutor().asCoroutineDispatcher()
        try {
            repeat(200) { i ->
                kotlinx.coroutines.runBlocking(dispatcher) {
                    fn.callSuspend(Warm, i.toUInt())
                    kotlinx.coroutines.withTimeout(1000) { kotlinx.coroutines.yield() }
                }
            }
        } finally {
            dispatcher.close()
        }
        Json.parse(Json.write(mapOf("warm" to listOf(1, 2.5, "x", null, true))))
    }

    private object Warm {
        @Suppress("unused")
        suspend fun echo(value: UInt): UInt {
            kotlinx.coroutines.yield()
            return value
        }
    }

    fun hello(): Map<String, Any?> {
        val versions = (bindingsDir.listFiles() ?: arrayOf()).sorted().mapNotNull {
            try { manifest(bindingsDir, it.name)["uniffi_bindgen"] as String? } catch (e: Exception) { null }
        }.toSortedSet()
        val jna = com.sun.jna.Native::class.java.`package`.implementationVersion ?: com.sun.jna.Native.VERSION
        return mapOf("hello" to mapOf(
            "name" to "uniffi-kotlin", "version" to VERSION, "language" to "kotlin",
            "implementation" to "UniFFI ${versions.joinToString(", ").ifEmpty { "?" }} generated Kotlin bindings on " +
                "Kotlin ${KotlinVersion.CURRENT}, JVM ${System.getProperty("java.version")}, " +
                "kotlinx-coroutines, JNA $jna",
            "protocol" to PROTOCOL_VERSION, "capabilities" to CAPABILITIES))
    }

    private fun send(message: Any?) {
        out.println(Json.write(message))
        out.flush()
    }

    private fun moduleFor(fixture: String, library: String): Generated =
        generated.getOrPut(fixture to File(library).absolutePath) { Generated(bindingsDir, fixture, library) }

    @Suppress("UNCHECKED_CAST")
    private fun interfaceOf(path: String): Map<String, Any?> =
        interfaces.getOrPut(path) { Json.parse(File(path).readText()) as Map<String, Any?> }

    @Suppress("UNCHECKED_CAST")
    fun run(request: Map<String, Any?>): Map<String, Any?> {
        val scenario = request["scenario"] as Map<String, Any?>
        val seed = (request["seed"] as Number?)?.toLong() ?: 0L
        val timeScale = (request["time_scale"] as Number?)?.toDouble() ?: 1.0
        val fixtures = request["fixtures"] as Map<String, Map<String, Any?>>
        val names = scenario["fixtures"] as List<String>
        val gens = names.associateWith { moduleFor(it, fixtures.getValue(it)["library"] as String) }
        val ifaces = names.associateWith { interfaceOf(fixtures.getValue(it)["interface"] as String) }
        for ((name, gen) in gens) gen.declaredTypes = ifaces.getValue(name)["types"] as Map<String, Any?>
        for (gen in gens.values) gen.monitorBegin(scenario["id"] as String, seed, timeScale, scenario["fixture_mode"] as String?)
        val start = System.nanoTime()
        val steps = ScenarioRun(scenario, gens, ifaces, timeScale).run()
        val elapsed = Math.round((System.nanoTime() - start) / 1e3) / 1000.0
        val monitor = gens.mapValues { it.value.monitorEnd() }
        return mapOf("result" to mapOf("id" to request["id"], "steps" to steps, "elapsed_ms" to elapsed, "monitor" to monitor))
    }

    fun serve(input: java.io.BufferedReader): Int {
        warmUp()
        send(hello())
        while (true) {
            val line = input.readLine() ?: break
            if (line.isBlank()) continue
            val message = try {
                Json.parse(line) as? Map<*, *> ?: throw JsonError("not an object")
            } catch (e: JsonError) {
                send(mapOf("error" to mapOf("id" to null, "message" to "bad JSON: ${e.message}")))
                continue
            }
            if ("stop" in message) break
            @Suppress("UNCHECKED_CAST")
            val request = message["run"] as Map<String, Any?>?
            if (request == null) {
                send(mapOf("error" to mapOf("id" to null, "message" to "unknown request ${message.keys.sortedBy { it.toString() }}")))
                continue
            }
            try {
                send(run(request))
            } catch (e: Throwable) {
                val error = unwrap(e)
                error.printStackTrace()
                send(mapOf("error" to mapOf("id" to request["id"], "message" to "${error.javaClass.name}: ${error.message}")))
            }
        }
        return 0
    }
}

fun main(args: Array<String>) {
    val at = args.indexOf("--bindings")
    if (at < 0 || at + 1 >= args.size) {
        System.err.println("uniffi-kotlin: usage: runner --bindings DIR")
        exitProcess(2)
    }
    val dir = File(args[at + 1])
    val benchAt = args.indexOf("--bench")
    if (benchAt >= 0) {
        val rest = args.drop(benchAt + 1)
        val numbers = rest.drop(1).map { it.toIntOrNull() ?: 0 }
        if (rest.isEmpty() || rest.size > 4 || numbers.any { it < 1 }) {
            System.err.println("uniffi-kotlin: usage: runner --bindings DIR --bench LIBRARY [AWAITS CONCURRENT ROUNDS] (positive integers)")
            exitProcess(2)
        }
        println(Json.write(bench(dir, rest[0], numbers.getOrElse(0) { 20000 }, numbers.getOrElse(1) { 10000 },
            numbers.getOrElse(2) { 3 })))
        Runtime.getRuntime().halt(0)
    }
    if (!dir.isDirectory) {
        System.err.println("uniffi-kotlin: no generated bindings at $dir (build the target uniffi_kotlin_runner)")
        exitProcess(2)
    }
    val protocolOut = PrintStream(java.io.FileOutputStream(java.io.FileDescriptor.out), false, "UTF-8")
    System.setOut(System.err)  // stdout carries the protocol only
    val code = Runner(dir, protocolOut).serve(System.`in`.bufferedReader())
    protocolOut.flush()
    // Halt rather than exit: daemon threads of abandoned scenarios must not hold the JVM.
    Runtime.getRuntime().halt(code)
}
