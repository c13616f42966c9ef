// Performs one conformance scenario's steps with UniFFI's generated Kotlin bindings.
//
// The adapter reports what happened and never judges (docs/runner-protocol.md). An outcome is one
// of {"value"} {"error": {"type", "value"}} {"unexpected"} {"cancelled"} {"timeout"} {"failure"}
// plus "exception" (the JVM exception's class name) and "elapsed_ms". A `failure` is either the
// adapter unable to express a step with the generated API, or an exception the generated code
// threw that is none of the API's documented outcomes (typed error, InternalException,
// cancellation): both fail the scenario.
//
// The scenario's "event loop" is a single-threaded coroutine dispatcher (thread `scenario-loop`),
// fresh for every scenario, as a Kotlin application's main dispatcher would be.
package asyncabi.kotlin

import java.lang.reflect.InvocationHandler
import java.lang.reflect.Method
import java.lang.reflect.Proxy
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.Executors
import kotlin.coroutines.Continuation
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.intrinsics.COROUTINE_SUSPENDED
import kotlin.coroutines.intrinsics.startCoroutineUninterceptedOrReturn
import kotlin.reflect.KType
import kotlin.reflect.full.memberFunctions
import kotlinx.coroutines.*

/** The step cannot finish (timeout, adapter failure): later steps are skipped. */
class StepAbort(val outcome: MutableMap<String, Any?>) : Exception()

private fun ms(startNanos: Long) = Math.round((System.nanoTime() - startNanos) / 1e3) / 1000.0

@Suppress("UNCHECKED_CAST")
private fun resolve(template: Any?, named: Map<String, Any?>, self: Any?): Any? {
    if (template is Map<*, *>) {
        if ("\$arg" in template) {
            val value = named[template["\$arg"]]
            val plus = template["plus"] as Number?
            return if (plus != null) (value as Number).toLong() + plus.toLong() else value
        }
        if ("\$self" in template) return self
        if ("\$format" in template) {
            var out = template["\$format"] as String
            for ((k, v) in named) out = out.replace("{$k}", v.toString())
            return out
        }
    }
    return template
}

/** Kotlin values handed to a foreign method (unsigned ones arrive as their signed carriers
 * through the JVM signature) to plain JSON-ish values for behaviours. */
private fun plain(value: Any?): Any? = when (value) {
    is Byte, is Short, is Int -> (value as Number).toLong()
    is UByte -> value.toLong(); is UShort -> value.toLong(); is UInt -> value.toLong(); is ULong -> value.toLong()
    else -> value
}

/** An unsigned argument arrives through the JVM signature as its signed carrier (Byte for UByte). */
private fun unsignedOf(value: Any?, type: KType?): Any? = when (type?.classifier) {
    UByte::class -> (value as? Byte)?.toUByte() ?: value
    UShort::class -> (value as? Short)?.toUShort() ?: value
    UInt::class -> (value as? Int)?.toUInt() ?: value
    ULong::class -> (value as? Long)?.toULong() ?: value
    else -> value
}

/** A Kotlin implementation of a callback interface (a `java.lang.reflect.Proxy` of the generated
 * interface), handed to the generated code as any user's object would be. Its methods follow
 * declared behaviours: {"delay_ms": n | {"$arg"}, "result": "value" | "error" | "exception" |
 * "never" | "call", "value": ..., "error": {...}, "message": str}. */
class ForeignObject(
    private val run: ScenarioRun, private val gen: Generated, iface: Class<*>,
    decl: Map<String, Any?>, behaviours: Map<String, Any?>,
) : InvocationHandler {
    val stats = ConcurrentHashMap<String, Stats>()
    private val methods = HashMap<String, Map<String, Any?>>()  // Kotlin name -> declaration
    private val specs = HashMap<String, Map<String, Any?>>()
    private val returnTypes = HashMap<String, KType>()
    private val paramTypes = HashMap<String, List<KType>>()
    val proxy: Any = Proxy.newProxyInstance(iface.classLoader, arrayOf(iface), this)

    class Stats {
        @Volatile var started = 0; @Volatile var completed = 0; @Volatile var failed = 0; @Volatile var cancelled = 0
        val threads: MutableList<String> = java.util.Collections.synchronizedList(mutableListOf())
        fun snapshot() = synchronized(this) { mapOf("started" to started, "completed" to completed, "failed" to failed, "cancelled" to cancelled) }
    }

    init {
        @Suppress("UNCHECKED_CAST")
        for (method in decl["methods"] as List<Map<String, Any?>>) {
            val name = method["name"] as String
            val camel = snakeToCamel(name)
            methods[camel] = method
            @Suppress("UNCHECKED_CAST")
            specs[camel] = (behaviours[name] as Map<String, Any?>?) ?: mapOf("result" to "exception", "message" to "not implemented")
            stats[name] = Stats()
        }
        for (fn in iface.kotlin.memberFunctions) {
            returnTypes[fn.name] = fn.returnType
            paramTypes[fn.name] = fn.parameters.filter { it.kind == kotlin.reflect.KParameter.Kind.VALUE }.map { it.type }
        }
    }

    override fun invoke(proxy: Any, method: Method, args: Array<out Any?>?): Any? {
        val javaName = method.name.substringBefore('-')
        when (javaName) {
            "toString" -> return "ForeignObject(${method.declaringClass.simpleName})"
            "hashCode" -> return System.identityHashCode(proxy)
            "equals" -> return proxy === args?.get(0)
        }
        val decl = methods[javaName] ?: throw UnsupportedOperationException("${method.name} is not declared")
        val spec = specs.getValue(javaName)
        val stat = stats.getValue(decl["name"] as String)
        @Suppress("UNCHECKED_CAST")
        val argNames = (decl["args"] as List<Map<String, Any?>>? ?: emptyList()).map { it["name"] as String }
        val given = args ?: arrayOf()
        val isAsync = decl["async"] == true
        val types = paramTypes[javaName].orEmpty()
        val named = argNames.zip(given.take(argNames.size).mapIndexed { i, v -> plain(unsignedOf(v, types.getOrNull(i))) }).toMap()
        val returnType = returnTypes[javaName]
        if (!isAsync) {
            stat.started++
            try {
                val value = produce(spec, decl, named, returnType)
                stat.completed++
                // a sync JVM method returns an unsigned value as its signed carrier
                return when (value) { is UByte -> value.toByte(); is UShort -> value.toShort(); is UInt -> value.toInt(); is ULong -> value.toLong(); else -> value }
            } catch (e: Throwable) {
                stat.failed++
                throw e
            }
        }
        @Suppress("UNCHECKED_CAST")
        val continuation = given.last() as Continuation<Any?>
        val body: suspend () -> Any? = {
            stat.started++
            stat.threads.add(if (Thread.currentThread() === run.loopThread) "main" else "other")
            try {
                val delay = resolve(spec["delay_ms"] ?: 0, named, proxy) as Number
                if (delay.toDouble() > 0) delay((delay.toDouble() * run.timeScale).toLong().coerceAtLeast(1))
                if (spec["result"] == "never") awaitCancellation()
                val value = if (spec["result"] == "call") {
                    @Suppress("UNCHECKED_CAST")
                    val call = (spec["call"] as Map<String, Any?>).toMutableMap()
                    @Suppress("UNCHECKED_CAST")
                    call["args"] = (call["args"] as List<Any?>? ?: emptyList()).map { resolve(it, named, proxy) }
                    val inner = plain(run.call(call)) as Number
                    gen.toBinding(inner.toLong() + ((spec["plus"] as Number?)?.toLong() ?: 0L), returnType)
                } else produce(spec, decl, named, returnType)
                stat.completed++
                value
            } catch (e: CancellationException) {
                stat.cancelled++
                throw e
            } catch (e: Throwable) {
                stat.failed++
                throw e
            }
        }
        return try {
            body.startCoroutineUninterceptedOrReturn(continuation)
        } catch (e: Throwable) {
            // A suspend function that throws before suspending: hand the exception to the
            // caller's continuation, as compiled Kotlin does. Thrown through the proxy instead, a
            // Kotlin (checked, to the JVM) exception would become UndeclaredThrowableException.
            continuation.resumeWith(Result.failure(e))
            COROUTINE_SUSPENDED
        }
    }

    private fun produce(spec: Map<String, Any?>, decl: Map<String, Any?>, named: Map<String, Any?>, returnType: KType?): Any? {
        return when (val result = spec["result"] ?: "value") {
            "value" -> if (decl["return"] == null) Unit else gen.toBinding(resolve(spec["value"], named, proxy), returnType)
            "error" -> throw gen.makeError(decl["throws"] as String, resolve(spec["error"], named, proxy))
            "exception" -> throw RuntimeException(spec["message"] as String? ?: "unexpected exception from the foreign side")
            else -> throw IllegalArgumentException("unknown behaviour result $result")
        }
    }
}

/** Counts the dispatches of one task: the first starts it, each later one is a resumption by
 * the generated code's continuation callback (a poll result delivered from the producer). */
private class ObservingDispatcher(val inner: CoroutineDispatcher, val onResume: () -> Unit) : CoroutineDispatcher() {
    @Volatile private var dispatches = 0
    override fun dispatch(context: CoroutineContext, block: Runnable) {
        if (++dispatches >= 2) onResume()
        inner.dispatch(context, block)
    }
}

class ScenarioRun(
    private val scenario: Map<String, Any?>, private val generated: Map<String, Generated>,
    private val interfaces: Map<String, Map<String, Any?>>, val timeScale: Double,
) {
    private val defaultFixture = (scenario["fixtures"] as List<*>).first() as String
    private val vars = LinkedHashMap<String, Any?>()
    private val tasks = LinkedHashMap<String, Pair<Deferred<Any?>, Map<String, Any?>>>()
    private val foreign = HashMap<String, ForeignObject>()
    private val outcomes = mutableListOf<Map<String, Any?>>()
    private val stepTimeoutMs = ((scenario["step_timeout_ms"] as Number?)?.toDouble() ?: 3000.0) * maxOf(timeScale, 1.0 / 3)
    private val executor = Executors.newSingleThreadExecutor { Thread(it, "scenario-loop").apply { isDaemon = true } }
    private val loop = executor.asCoroutineDispatcher()
    @Volatile var loopThread: Thread? = null
    private val scope = CoroutineScope(loop + SupervisorJob())

    fun run(): List<Map<String, Any?>> {
        try {
            runBlocking(loop) {
                loopThread = Thread.currentThread()
                main()
            }
        } finally {
            scope.cancel()
            executor.shutdown()
        }
        return outcomes
    }

    private suspend fun main() {
        var aborted: String? = null
        @Suppress("UNCHECKED_CAST")
        for ((index, step) in (scenario["steps"] as List<Map<String, Any?>>).withIndex()) {
            val kind = step["do"] as String
            if (aborted != null) {
                outcomes.add(mapOf("step" to index, "do" to kind, "skipped" to aborted))
                continue
            }
            val start = System.nanoTime()
            var outcome: MutableMap<String, Any?>
            try {
                outcome = step(kind, step)
            } catch (abort: StepAbort) {
                outcome = abort.outcome
                aborted = if ("failure" in outcome) "step $index failed in the runner" else "step $index did not finish"
            } catch (e: CancellationException) {
                throw e
            } catch (e: Throwable) {
                val error = unwrap(e)
                outcome = mutableMapOf("failure" to "${error.javaClass.name}: ${error.message}", "exception" to error.javaClass.name)
                aborted = "step $index failed in the runner"
            }
            outcome.putIfAbsent("elapsed_ms", ms(start))
            outcome["step"] = index
            outcome["do"] = kind
            outcomes.add(outcome)
        }
        cleanup()
    }

    private suspend fun cleanup() {
        for ((task, _) in tasks.values) if (!task.isCompleted) task.cancel()
        withTimeoutOrNull(stepTimeoutMs.toLong()) { for ((task, _) in tasks.values) task.join() }
        // what a Kotlin program does with objects it no longer needs: close them
        for (value in vars.values) release(value)
        vars.clear()
        tasks.clear()
        delay(10)  // foreign completions still in flight land now
    }

    private fun release(value: Any?) {
        when (value) {
            is List<*> -> value.forEach { release(it) }
            is AutoCloseable -> if (!Proxy.isProxyClass(value.javaClass)) value.close()
        }
    }

    private suspend fun step(kind: String, step: Map<String, Any?>): MutableMap<String, Any?> = when (kind) {
        "call" -> outcomeOf(step) { call(step) }
        "spawn" -> stepSpawn(step)
        "await" -> stepAwait(step)
        "gather" -> stepGather(step)
        "cancel" -> stepCancel(step)
        "implement" -> stepImplement(step)
        "drop" -> stepDrop(step)
        "sleep" -> { delay(((step["ms"] as Number).toDouble() * timeScale).toLong()); mutableMapOf("value" to null) }
        "check_foreign" -> stepCheckForeign(step)
        "collect_garbage" -> stepCollectGarbage()
        "cancel_sweep" -> stepCancelSweep(step)
        else -> throw AdapterError("unknown step kind '$kind'")
    }

    // --- calls ---------------------------------------------------------------------------------
    private fun gen(spec: Map<String, Any?>) = generated.getValue(spec["fixture"] as String? ?: defaultFixture)

    private fun lookup(ref: String): Any? {
        val parts = ref.split(".")
        if (parts[0] !in vars) throw AdapterError("no saved value '${parts[0]}'")
        var value = vars[parts[0]]
        for (part in parts.drop(1)) value = if (value is List<*>) value[part.toInt()] else (value as Map<*, *>)[part]
        return value
    }

    private fun value(v: Any?): Any? = when {
        v is Map<*, *> && v.keys == setOf("\$ref") -> lookup(v["\$ref"] as String)
        v is Map<*, *> -> v.entries.associate { it.key as String to value(it.value) }
        v is List<*> -> v.map { value(it) }
        else -> v
    }

    /** One call through the generated API, on the loop the spec names; returns its value. */
    suspend fun call(spec: Map<String, Any?>): Any? {
        val gen = gen(spec)
        val receiver = (spec["receiver"] as String?)?.let { lookup(it) }
        val (fn, bound) = gen.callable(spec["function"] as String, receiver)
        val args = ((spec["args"] as List<*>?) ?: emptyList<Any?>()).map { value(it) }
        return when (val where = spec["on"] as String? ?: "loop") {
            "loop" -> gen.invoke(fn, bound, args)
            "executor" -> {  // a thread with no event loop: sync exports only
                if (fn.isSuspend) throw AdapterError("an async export cannot be awaited on a thread with no loop")
                withContext(Dispatchers.IO) { runBlocking { gen.invoke(fn, bound, args) } }
            }
            "second_loop" -> {  // a thread running its own event loop
                val result = CompletableDeferred<Any?>()
                Thread({
                    try {
                        result.complete(runBlocking { gen.invoke(fn, bound, args) })
                    } catch (e: Throwable) {
                        result.completeExceptionally(e)
                    }
                }, "second-loop").apply { isDaemon = true }.start()
                result.await()
            }
            else -> throw AdapterError("unknown 'on': '$where'")
        }
    }

    private suspend fun outcomeOf(spec: Map<String, Any?>, deadline: Boolean = true, block: suspend () -> Any?): MutableMap<String, Any?> {
        val start = System.nanoTime()
        var outcome: MutableMap<String, Any?>
        try {
            val value = if (deadline) withTimeout(stepTimeoutMs.toLong()) { block() } else block()
            outcome = mutableMapOf("value" to gen(spec).toJson(value))
            // what is not saved is garbage now: closed, as a Kotlin caller's `use {}` would
            if (spec["save"] is String) vars[spec["save"] as String] = value else release(value)
        } catch (e: TimeoutCancellationException) {
            throw StepAbort(mutableMapOf("timeout" to true, "exception" to e.javaClass.name, "elapsed_ms" to ms(start)))
        } catch (e: CancellationException) {
            currentCoroutineContext().ensureActive()  // our own task was cancelled: not an outcome
            outcome = mutableMapOf("cancelled" to true, "exception" to e.javaClass.name)
        } catch (e: AdapterError) {
            throw StepAbort(mutableMapOf("failure" to "${e.javaClass.name}: ${e.message}", "exception" to e.javaClass.name))
        } catch (e: Throwable) {
            outcome = exceptionOutcome(unwrap(e), spec)
            if ("failure" in outcome) throw StepAbort(outcome)
        }
        outcome["elapsed_ms"] = ms(start)
        return outcome
    }

    private fun exceptionOutcome(e: Throwable, spec: Map<String, Any?>): MutableMap<String, Any?> {
        for (candidate in listOf(gen(spec)) + generated.values) {
            if (candidate.isInternal(e)) return mutableMapOf("unexpected" to (e.message ?: ""), "exception" to e.javaClass.name)
            if (candidate.isTypedError(e)) {
                @Suppress("UNCHECKED_CAST")
                val declared = (interfaces.getValue(candidate.fixture)["types"] as Map<String, Any?>).keys
                return mutableMapOf("error" to candidate.describeError(e, declared), "exception" to e.javaClass.name)
            }
        }
        return mutableMapOf("failure" to "the generated binding threw ${e.javaClass.name}: ${e.message}", "exception" to e.javaClass.name)
    }

    // --- steps -----------------------------------------------------------------------------------
    private suspend fun stepSpawn(step: Map<String, Any?>): MutableMap<String, Any?> {
        @Suppress("UNCHECKED_CAST")
        val spec = step["call"] as Map<String, Any?>
        tasks[step["task"] as String] = scope.async { call(spec) } to spec
        yield()  // let the task make its first poll
        return mutableMapOf("value" to null)
    }

    private suspend fun stepAwait(step: Map<String, Any?>): MutableMap<String, Any?> {
        val (task, spec) = tasks[step["task"] as String] ?: throw AdapterError("no task '${step["task"]}'")
        return outcomeOf(spec) { task.await() }  // a timeout leaves the task running
    }

    private suspend fun stepGather(step: Map<String, Any?>): MutableMap<String, Any?> {
        val order = java.util.Collections.synchronizedList(mutableListOf<String>())
        val start = System.nanoTime()
        suspend fun one(spec: Map<String, Any?>): Pair<String, MutableMap<String, Any?>> {
            val outcome = outcomeOf(spec, deadline = false) { call(spec) }
            val label = spec["label"] as String? ?: spec["function"] as String
            synchronized(order) { if (label !in order) order.add(label) }
            return label to outcome
        }
        suspend fun group(spec: Map<String, Any?>): Map<String, Any?> = coroutineScope {
            val count = (spec["count"] as Number?)?.toInt() ?: 1
            val results = (1..count).map { async { one(spec) } }.awaitAll()
            if (count == 1) return@coroutineScope results[0].second + ("label" to results[0].first)
            val distinct = LinkedHashMap<String, MutableMap<String, Any?>>()
            for ((_, outcome) in results) {
                val elapsed = (outcome.remove("elapsed_ms") as Double?) ?: 0.0
                val entry = distinct.getOrPut(Json.write(outcome.toSortedMap())) { (outcome + mapOf("times" to 0, "elapsed_ms" to 0.0)).toMutableMap() }
                entry["times"] = (entry["times"] as Int) + 1
                entry["elapsed_ms"] = maxOf(entry["elapsed_ms"] as Double, elapsed)
            }
            mapOf("label" to results[0].first, "count" to count, "distinct" to distinct.values.toList(),
                "elapsed_ms" to distinct.values.maxOf { it["elapsed_ms"] as Double })
        }
        @Suppress("UNCHECKED_CAST")
        val calls = step["calls"] as List<Map<String, Any?>>
        val results = try {
            withTimeout((stepTimeoutMs * 2).toLong()) { coroutineScope { calls.map { async { group(it) } }.awaitAll() } }
        } catch (e: TimeoutCancellationException) {
            throw StepAbort(mutableMapOf("timeout" to true, "exception" to e.javaClass.name, "order" to order.toList()))
        }
        return mutableMapOf("results" to results, "order" to order.toList(), "elapsed_ms" to ms(start))
    }

    private suspend fun stepCancel(step: Map<String, Any?>): MutableMap<String, Any?> {
        val woke = CompletableDeferred<Unit>()
        val firstWake = step["after"] == "first_wake"
        @Suppress("UNCHECKED_CAST")
        val spec = (step["call"] as Map<String, Any?>?) ?: emptyMap()
        val task: Deferred<Any?> = if ("task" in step) {
            (tasks[step["task"] as String] ?: throw AdapterError("no task '${step["task"]}'")).first
        } else if (firstWake) {
            scope.async(ObservingDispatcher(loop) { woke.complete(Unit) }) { call(spec) }
        } else scope.async { call(spec) }
        if (firstWake) {
            if (withTimeoutOrNull(stepTimeoutMs.toLong()) { woke.await() } == null) {
                task.cancel()
                throw StepAbort(mutableMapOf("timeout" to true, "exception" to "kotlinx.coroutines.TimeoutCancellationException",
                    "message" to "no poll result arrived before the deadline"))
            }
        } else {
            delay((((step["after_ms"] as Number?)?.toDouble() ?: 0.0) * timeScale).toLong())
        }
        val wasDone = task.isCompleted
        task.cancel()  // Job.cancel(): the coroutine's own cancellation
        val start = System.nanoTime()
        if (withTimeoutOrNull(stepTimeoutMs.toLong()) { task.join() } == null) {
            throw StepAbort(mutableMapOf("timeout" to true, "exception" to "kotlinx.coroutines.TimeoutCancellationException",
                "message" to "the cancelled task did not finish"))
        }
        val latency = ms(start)
        val outcome = outcomeOf(spec) { task.await() }
        outcome["finished_before_cancel"] = wasDone
        outcome["cancel_latency_ms"] = latency
        return outcome
    }

    /** Starts `call` `count` times, one after the other, and cancels each awaiting coroutine
     * around the producer's answer: every third run at the instant the generated continuation
     * callback resumes it with a poll result (inside the dispatch, before it runs: the tightest
     * race with completion), the others after an offset swept evenly from around_ms - spread_ms
     * to around_ms + spread_ms (scaled). */
    private suspend fun stepCancelSweep(step: Map<String, Any?>): MutableMap<String, Any?> {
        @Suppress("UNCHECKED_CAST")
        val spec = step["call"] as Map<String, Any?>
        val count = (step["count"] as Number).toInt()
        val around = (step["around_ms"] as Number?)?.toDouble() ?: 0.0
        val spread = (step["spread_ms"] as Number?)?.toDouble() ?: 0.0
        val landed = linkedMapOf("before_answer" to 0, "at_answer" to 0, "after_completion" to 0)
        val distinct = LinkedHashMap<String, MutableMap<String, Any?>>()
        val start = System.nanoTime()
        for (i in 0 until count) {
            val hook = i % 3 == 0
            val cancelled = java.util.concurrent.atomic.AtomicBoolean(false)
            val holder = arrayOfNulls<Deferred<Any?>>(1)
            val dispatcher = ObservingDispatcher(loop) {
                val task = holder[0]
                if (hook && task != null && !task.isCompleted && cancelled.compareAndSet(false, true)) task.cancel()
            }
            val task = scope.async(dispatcher, start = CoroutineStart.LAZY) { call(spec) }
            holder[0] = task
            task.start()
            if (!hook) {
                val offset = around - spread + 2 * spread * i / maxOf(count - 1, 1)
                delay((maxOf(offset, 0.0) * timeScale).toLong())
                if (!task.isCompleted && cancelled.compareAndSet(false, true)) {
                    task.cancel()
                    landed["before_answer"] = landed.getValue("before_answer") + 1
                }
            }
            if (withTimeoutOrNull(stepTimeoutMs.toLong()) { task.join() } == null) {
                task.cancel()
                throw StepAbort(mutableMapOf("timeout" to true, "exception" to "kotlinx.coroutines.TimeoutCancellationException",
                    "message" to "run $i of the sweep did not finish", "landed" to landed))
            }
            if (hook) {
                val key = if (cancelled.get()) "at_answer" else "after_completion"
                landed[key] = landed.getValue(key) + 1
            } else if (!cancelled.get()) {
                landed["after_completion"] = landed.getValue("after_completion") + 1
            }
            val outcome = outcomeOf(spec, deadline = false) { task.await() }
            outcome.remove("elapsed_ms")
            distinct.getOrPut(Json.write(outcome.toSortedMap())) { (outcome + ("times" to 0)).toMutableMap() }.let {
                it["times"] = (it["times"] as Int) + 1
            }
        }
        return mutableMapOf("value" to mapOf("runs" to count, "landed" to landed),
            "distinct" to distinct.values.toList(), "elapsed_ms" to ms(start))
    }

    private fun stepImplement(step: Map<String, Any?>): MutableMap<String, Any?> {
        val fixture = step["fixture"] as String? ?: defaultFixture
        val gen = generated.getValue(fixture)
        val name = step["interface"] as String
        @Suppress("UNCHECKED_CAST")
        val decl = (interfaces.getValue(fixture)["types"] as Map<String, Any?>)[name] as Map<String, Any?>?
            ?: throw AdapterError("interface.json of $fixture declares no '$name'")
        val iface = gen.kclass(name).java
        if (!iface.isInterface) throw AdapterError("the generated '$name' is not an interface a user can implement")
        @Suppress("UNCHECKED_CAST")
        val impl = ForeignObject(this, gen, iface, decl, step["methods"] as Map<String, Any?>)
        vars[step["save"] as String] = impl.proxy
        foreign[step["save"] as String] = impl
        return mutableMapOf("value" to null)
    }

    private fun stepDrop(step: Map<String, Any?>): MutableMap<String, Any?> {
        val name = step["value"] as String
        val value = vars.remove(name)
        foreign.remove(name)
        release(value)  // a generated object frees its handle on close(), as a Kotlin user's `use {}` would
        return mutableMapOf("value" to null)
    }

    /** A full collection while the scenario's tasks stay parked: `System.gc()` until a sentinel
     * only weakly reachable shows up on its reference queue (the collection really ran, since
     * `System.gc()` is only a request), then `System.runFinalization()` and one turn of the loop. */
    private suspend fun stepCollectGarbage(): MutableMap<String, Any?> {
        val queue = java.lang.ref.ReferenceQueue<Any>()
        var sentinel: Any? = Any()
        val weak = java.lang.ref.WeakReference(sentinel, queue)
        @Suppress("UNUSED_VALUE")
        sentinel = null
        val deadline = System.nanoTime() + (stepTimeoutMs * 1e6).toLong()
        while (queue.poll() == null) {
            if (System.nanoTime() > deadline) {
                throw StepAbort(mutableMapOf("timeout" to true, "exception" to "java.lang.ref.ReferenceQueue",
                    "message" to "System.gc() did not collect a weakly reachable object before the deadline"))
            }
            System.gc()
            delay(1)
        }
        check(weak.get() == null)
        @Suppress("DEPRECATION")
        System.runFinalization()
        yield()
        return mutableMapOf("value" to null)
    }

    private suspend fun stepCheckForeign(step: Map<String, Any?>): MutableMap<String, Any?> {
        val impl = foreign[step["object"] as String] ?: throw AdapterError("no foreign object '${step["object"]}'")
        val stats = impl.stats[step["method"] as String] ?: throw AdapterError("no method '${step["method"]}'")
        val deadline = System.nanoTime() + (((step["within_ms"] as Number?)?.toDouble() ?: 0.0) * timeScale * 1e6 + 50e6).toLong()
        @Suppress("UNCHECKED_CAST")
        val want = (step["expect"] as Map<String, Any?>?) ?: emptyMap()
        while (System.nanoTime() < deadline) {
            val now = stats.snapshot()
            if (want.all { (k, v) -> (now[k] as Number?)?.toLong() == (v as Number?)?.toLong() }) break
            delay(5)
        }
        return mutableMapOf("value" to stats.snapshot(), "threads" to stats.threads.toList())
    }
}

