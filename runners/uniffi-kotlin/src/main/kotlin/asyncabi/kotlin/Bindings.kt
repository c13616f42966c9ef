// Loading UniFFI's generated Kotlin against a given fixture library, and the mapping between the
// protocol's JSON values and the generated API's values.
//
// Nothing here touches the ABI: every call, poll, completion and vtable is the generated code's.
// What the adapter adds is placement (the generated code loads the library named by the system
// property `uniffi.component.<ns>.libraryOverride`, read once per class; each (fixture, library)
// pair gets its own class loader, so one JVM can drive the C producer, its sanitizer builds and
// the Rust producer), the fixtures' control exports (configure and the monitor, not in the UDL)
// through JNA, and value conversion by Kotlin reflection.
package asyncabi.kotlin

import com.sun.jna.NativeLibrary
import com.sun.jna.Pointer
import java.io.File
import java.lang.reflect.InvocationTargetException
import java.net.URL
import java.net.URLClassLoader
import java.security.MessageDigest
import kotlin.reflect.KClass
import kotlin.reflect.KFunction
import kotlin.reflect.KType
import kotlin.reflect.full.callSuspend
import kotlin.reflect.full.companionObject
import kotlin.reflect.full.companionObjectInstance
import kotlin.reflect.full.isSubclassOf
import kotlin.reflect.full.memberFunctions
import kotlin.reflect.full.primaryConstructor
import kotlin.reflect.jvm.isAccessible
import kotlin.reflect.jvm.kotlinFunction

/** The adapter cannot express a step with the generated API (an unknown function, a value that
 * has no counterpart): the step fails in the runner. */
class AdapterError(message: String) : Exception(message)

/** No generated bindings for a fixture. */
class BindingsMissing(message: String) : Exception(message)

const val LONG_STRING = 4096

fun snakeToCamel(name: String): String {
    val parts = name.split("_").filter { it.isNotEmpty() }
    return parts.first() + parts.drop(1).joinToString("") { it.replaceFirstChar(Char::uppercase) }
}

fun camelToSnake(name: String): String =
    name.replace(Regex("([a-z0-9])([A-Z])"), "$1_$2").lowercase()

fun unwrap(e: Throwable): Throwable {
    var error = e
    while (error is InvocationTargetException && error.targetException != null) error = error.targetException
    return error
}

fun manifest(bindingsDir: File, fixture: String): Map<String, Any?> {
    val file = File(File(bindingsDir, fixture), "bindings.json")
    if (!file.exists()) {
        throw BindingsMissing("no generated bindings for fixture '$fixture': $file is missing " +
            "(build the target uniffi_kotlin_runner)")
    }
    @Suppress("UNCHECKED_CAST")
    return Json.parse(file.readText()) as Map<String, Any?>
}

/** Defines the classes of one generated package itself (child first); everything else (the
 * adapter, Kotlin, coroutines, JNA) comes from the parent. */
private class BindingsLoader(urls: Array<URL>, parent: ClassLoader, val prefix: String) :
    URLClassLoader(urls, parent) {
    override fun loadClass(name: String, resolve: Boolean): Class<*> {
        if (!name.startsWith(prefix)) return super.loadClass(name, resolve)
        synchronized(getClassLoadingLock(name)) {
            val found = findLoadedClass(name) ?: findClass(name)
            if (resolve) resolveClass(found)
            return found
        }
    }
}

/** One generated package bound to one fixture library. */
class Generated(bindingsDir: File, val fixture: String, library: String) {
    val info = manifest(bindingsDir, fixture)
    val packageName = info["package"] as String
    private val loader: ClassLoader
    val facade: Class<*>
    private val controls: NativeLibrary
    private val functions = HashMap<String, MutableList<KFunction<*>>>()

    init {
        val libraryPath = File(library).absoluteFile.path
        val classes = Generated::class.java.protectionDomain.codeSource.location
        loader = BindingsLoader(arrayOf(classes), Generated::class.java.classLoader, "$packageName.")
        val property = "uniffi.component.${packageName.substringAfterLast('.')}.libraryOverride"
        synchronized(Generated::class.java) {
            System.setProperty(property, libraryPath)
            try {
                facade = Class.forName(info["facade"] as String, true, loader)
                // loads the library and compares every checksum, as a user's first call would
                facade.getMethod("uniffiEnsureInitialized").invoke(null)
            } catch (e: InvocationTargetException) {
                throw unwrap(e)
            } finally {
                System.clearProperty(property)
            }
        }
        controls = NativeLibrary.getInstance(libraryPath)
        // Kotlin reflection reads the facade's metadata once here, not inside the first timed step.
        for (method in facade.declaredMethods) {
            val fn = method.kotlinFunction ?: continue
            functions.getOrPut(fn.name) { mutableListOf() }.add(fn)
        }
    }

    // --- control exports (not in the UDL: the fixture kit's configure and monitor) ----------
    private fun control(name: String) = try { controls.getFunction(name) } catch (e: UnsatisfiedLinkError) { null }

    fun monitorBegin(scenarioId: String, seed: Long, timeScale: Double, mode: String?) {
        control("asyncabi_fixture_configure")?.invokeVoid(arrayOf(seed, timeScale))
        control("asyncabi_monitor_reset")?.invokeVoid(arrayOf())
        control("asyncabi_monitor_set_scenario")?.invokeVoid(arrayOf(scenarioId))
        // A mode the library cannot set is left to the harness: it fails the run as a
        // precondition unless the monitor's report says the mode was on.
        if (!mode.isNullOrEmpty()) {
            val setMode = control("asyncabi_fixture_set_mode")
            if (setMode != null && setMode.invokeInt(arrayOf(mode)) != 0) {
                throw AdapterError("$fixture: unknown fixture mode '$mode'")
            }
        }
    }

    fun monitorEnd(): Any? {
        val finish = control("asyncabi_monitor_finish") ?: return null
        val report = control("asyncabi_monitor_report_json") ?: return null
        finish.invokeInt(arrayOf())
        val pointer: Pointer = report.invokePointer(arrayOf()) ?: return null
        try {
            return Json.parse(pointer.getString(0, "UTF-8"))
        } finally {
            control("asyncabi_monitor_free_string")?.invokeVoid(arrayOf(pointer))
        }
    }

    // --- the generated API -------------------------------------------------------------------
    fun kclass(name: String): KClass<*> = try {
        Class.forName("$packageName.$name", true, loader).kotlin
    } catch (e: ClassNotFoundException) {
        throw AdapterError("the generated bindings have no '$name'")
    }

    /** The generated callable for a scenario's function name and the receiver it needs:
     * "f" is a top-level function, "Type.method" with a receiver a method, "Type.new" the
     * primary constructor, "Type.other" a secondary constructor (a companion function). */
    fun callable(function: String, receiver: Any?): Pair<KFunction<*>, Any?> {
        if ('.' !in function) {
            val name = snakeToCamel(function)
            val found = functions[name]?.filter { it.visibility == kotlin.reflect.KVisibility.PUBLIC }.orEmpty()
            return (found.singleOrNull() ?: throw AdapterError("the generated bindings have no '$function'")) to null
        }
        val (typeName, member) = function.split(".", limit = 2)
        if (receiver != null) {
            val fn = receiver::class.memberFunctions.firstOrNull { it.name == snakeToCamel(member) }
                ?: throw AdapterError("the generated bindings have no '$function'")
            return fn to receiver
        }
        val cls = kclass(typeName)
        if (member == "new") {
            val ctor = cls.constructors.firstOrNull { c ->
                c.parameters.none { p -> (p.type.classifier as? KClass<*>)?.simpleName in setOf("UniffiWithHandle", "NoHandle") }
            } ?: throw AdapterError("the generated bindings have no primary constructor of $typeName")
            return ctor to null
        }
        val companion = cls.companionObject ?: throw AdapterError("the generated bindings have no '$function'")
        val fn = companion.memberFunctions.firstOrNull { it.name == snakeToCamel(member) }
            ?: throw AdapterError("the generated bindings have no '$function'")
        return fn to cls.companionObjectInstance
    }

    /** Calls a generated callable (awaiting it if it is a suspend function). */
    suspend fun invoke(fn: KFunction<*>, receiver: Any?, args: List<Any?>): Any? {
        val valueParams = fn.parameters.filter { it.kind == kotlin.reflect.KParameter.Kind.VALUE }
        if (valueParams.size != args.size) {
            throw AdapterError("${fn.name} takes ${valueParams.size} arguments, the step gives ${args.size}")
        }
        val converted = valueParams.zip(args).map { (p, a) -> toBinding(a, p.type) }
        val all = if (receiver != null) listOf(receiver) + converted else converted
        fn.isAccessible = true
        try {
            return if (fn.isSuspend) fn.callSuspend(*all.toTypedArray()) else fn.call(*all.toTypedArray())
        } catch (e: InvocationTargetException) {
            throw unwrap(e)
        }
    }

    /** One JSON value to what the generated code expects for type `type`. */
    fun toBinding(value: Any?, type: KType?): Any? {
        if (value == null || type == null) return value
        val cls = type.classifier as? KClass<*> ?: return value
        if (value is Map<*, *> && value.keys == setOf("\$bytes") && cls == ByteArray::class) {
            return hex(value["\$bytes"] as String)
        }
        if (value is Number) {
            val n = value
            fun whole(min: Long, max: Long): Long {
                val v = n.toLong()
                if (n is Double && n != v.toDouble() || v < min || v > max) {
                    throw AdapterError("$n is out of range for ${cls.simpleName}")
                }
                return v
            }
            return when (cls) {
                UByte::class -> whole(0, 255).toUByte()
                UShort::class -> whole(0, 65535).toUShort()
                UInt::class -> whole(0, 4294967295L).toUInt()
                ULong::class -> if (n is Long) n.toULong() else java.math.BigDecimal(n.toString()).toBigInteger().toLong().toULong()
                Byte::class -> whole(-128, 127).toByte()
                Short::class -> whole(-32768, 32767).toShort()
                Int::class -> whole(Int.MIN_VALUE.toLong(), Int.MAX_VALUE.toLong()).toInt()
                Long::class -> n.toLong()
                Float::class -> n.toFloat()
                Double::class -> n.toDouble()
                else -> value
            }
        }
        if (value is List<*> && cls.isSubclassOf(List::class)) {
            val item = type.arguments.firstOrNull()?.type
            return value.map { toBinding(it, item) }
        }
        if (value is Map<*, *> && cls.isSubclassOf(Map::class)) {
            val item = type.arguments.getOrNull(1)?.type
            return value.mapValues { toBinding(it.value, item) }
        }
        if (cls.java.isEnum) {
            val name = if (value is Map<*, *>) value["variant"] as String else value as String
            return cls.java.enumConstants.firstOrNull {
                (it as Enum<*>).name.equals(name, ignoreCase = true) || it.name == camelToSnake(name).uppercase()
            } ?: throw AdapterError("${cls.simpleName} has no variant $name")
        }
        if (value is Map<*, *> && cls.isData) {
            val ctor = cls.primaryConstructor ?: throw AdapterError("${cls.simpleName} has no constructor")
            val args = ctor.parameters.filter { p ->
                value.containsKey(camelToSnake(p.name!!)) || value.containsKey(p.name!!)
            }.associateWith { p -> toBinding(value[camelToSnake(p.name!!)] ?: value[p.name!!], p.type) }
            return ctor.callBy(args)
        }
        return value
    }

    fun isObject(value: Any): Boolean = value.javaClass.methods.any { it.name == "uniffiCloneHandle" }

    /** The interface a producer object implements: its class, or for a trait either side may
     * implement (`[Trait, WithForeign]`) the interface its generated `<Name>Impl` class
     * implements. */
    fun objectTypeName(value: Any): String {
        val name = value.javaClass.simpleName
        if (name.endsWith("Impl") && value.javaClass.interfaces.any { it.simpleName == name.removeSuffix("Impl") }) {
            return name.removeSuffix("Impl")
        }
        return name
    }

    // --- errors --------------------------------------------------------------------------------
    fun isInternal(e: Throwable) = e.javaClass.name == "$packageName.InternalException"

    /** A generated error: a variant class of a sealed exception class of this package. */
    fun isTypedError(e: Throwable): Boolean {
        val parent = e.javaClass.superclass ?: return false
        return parent.name.startsWith("$packageName.") && parent.kotlin.isSealed && !isInternal(e)
    }

    /** The interface's declared names (interface.json), for names Kotlin changed. */
    var declaredTypes: Map<String, Any?> = emptyMap()

    @Suppress("UNCHECKED_CAST")
    private fun variantsOf(typeName: String): Set<String> =
        ((declaredTypes[typeName] as Map<String, Any?>?)?.get("variants") as List<Map<String, Any?>>?)
            ?.map { it["name"] as String }?.toSet() ?: emptySet()

    /** Kotlin renames an error variant `BarError` to `BarException`; the protocol uses the UDL name. */
    private fun udlName(kotlinName: String, declared: Set<String>): String {
        val udl = kotlinName.removeSuffix("Exception") + "Error"
        return if (kotlinName !in declared && kotlinName.endsWith("Exception") && udl in declared) udl else kotlinName
    }

    /** Kotlin renames an error `FooError` to `FooException`; the protocol names it as the UDL does. */
    fun errorTypeName(kotlinName: String, declared: Set<String>): String {
        val udl = kotlinName.removeSuffix("Exception") + "Error"
        return if (kotlinName.endsWith("Exception") && udl in declared) udl else kotlinName
    }

    fun describeError(e: Throwable, declared: Set<String>): Map<String, Any?> {
        val value = LinkedHashMap<String, Any?>()
        value["variant"] = udlName(e.javaClass.simpleName, variantsOf(errorTypeName(e.javaClass.superclass.simpleName, declared)))
        val ctor = e::class.primaryConstructor
        for (p in ctor?.parameters ?: emptyList()) {
            val prop = e::class.members.firstOrNull { it.name == p.name } ?: continue
            value[camelToSnake(p.name!!)] = toJson(prop.call(e))
        }
        return mapOf("type" to errorTypeName(e.javaClass.superclass.simpleName, declared), "value" to value)
    }

    /** The generated exception for a declared error value ({"variant": name, fields}). */
    fun makeError(typeName: String, value: Any?): Throwable {
        val kotlinName = if (typeName.endsWith("Error")) typeName.removeSuffix("Error") + "Exception" else typeName
        val base = try { kclass(kotlinName) } catch (e: AdapterError) { kclass(typeName) }
        val variantName = if (value is Map<*, *>) value["variant"] as String else value as String
        val variant = base.sealedSubclasses.firstOrNull { udlName(it.simpleName!!, variantsOf(typeName)) == variantName }
            ?: throw AdapterError("$typeName has no variant $variantName")
        val fields = (value as? Map<*, *>)?.filterKeys { it != "variant" } ?: emptyMap<Any?, Any?>()
        val ctor = variant.primaryConstructor ?: throw AdapterError("$typeName.$variantName has no constructor")
        val args = ctor.parameters.associateWith { p -> toBinding(fields[camelToSnake(p.name!!)] ?: fields[p.name], p.type) }
        return ctor.callBy(args) as Throwable
    }

    // --- values back to JSON -----------------------------------------------------------------
    fun toJson(value: Any?): Any? = when (value) {
        null -> null
        is String -> if (value.length > LONG_STRING) mapOf("\$string" to mapOf(
            "length" to value.codePointCount(0, value.length),
            "sha256" to MessageDigest.getInstance("SHA-256").digest(value.toByteArray()).joinToString("") { "%02x".format(it) })) else value
        is Boolean, is Byte, is Short, is Int, is Long, is Float, is Double -> value
        is UByte -> value.toLong()
        is UShort -> value.toLong()
        is UInt -> value.toLong()
        is ULong -> if (value <= Long.MAX_VALUE.toULong()) value.toLong() else java.math.BigInteger(value.toString())
        is Unit -> null
        is ByteArray -> mapOf("\$bytes" to value.joinToString("") { "%02x".format(it) })
        is List<*> -> value.map { toJson(it) }
        is Map<*, *> -> value.entries.associate { it.key.toString() to toJson(it.value) }
        is Enum<*> -> mapOf("variant" to value.name)
        is ForeignObject -> mapOf("\$foreign" to true)
        else -> when {
            java.lang.reflect.Proxy.isProxyClass(value.javaClass) &&
                java.lang.reflect.Proxy.getInvocationHandler(value) is ForeignObject -> mapOf("\$foreign" to true)
            isObject(value) -> mapOf("\$object" to objectTypeName(value))
            value::class.isData -> value::class.primaryConstructor!!.parameters.associate { p ->
                camelToSnake(p.name!!) to toJson(value::class.members.first { it.name == p.name }.call(value))
            }
            else -> value.toString()
        }
    }
}

fun hex(s: String): ByteArray = ByteArray(s.length / 2) { s.substring(it * 2, it * 2 + 2).toInt(16).toByte() }
