package asyncabi.uniffijava;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One fixture's generated bindings, loaded as generated against one library: a class loader of
 * its own (the generated loader reads the library's path from the system property
 * uniffi.component.NS.libraryOverride when its first class initialises), the fixture's control
 * exports (not part of the UDL) through the FFM API on the same library, and JSON to and from
 * the generated types by their reflected signatures and interface.json's declared UDL types.
 */
@SuppressWarnings("restricted")  // the fixtures' control exports, called through the FFM API
final class Generated {
    final String fixture;
    final String pkg;
    final ClassLoader loader;
    final Map<String, Object> iface;
    private final Class<?> namespace;
    private final Map<String, Map<String, Object>> functions = new HashMap<>();
    private final SymbolLookup controls;

    @SuppressWarnings("unchecked")
    Generated(Path bindingsDir, String fixture, String library, Map<String, Object> iface)
            throws Exception {
        this.fixture = fixture;
        this.iface = iface;
        Path dir = bindingsDir.resolve(fixture);
        Map<String, Object> info = (Map<String, Object>) Json.parse(
                java.nio.file.Files.readString(dir.resolve("bindings.json")));
        this.pkg = (String) info.get("package");
        String component = (String) info.get("component");
        String abs = Path.of(library).toAbsolutePath().toString();
        String property = "uniffi.component." + component + ".libraryOverride";
        String previous = System.getProperty(property);
        if (previous != null && !previous.equals(abs)) {
            throw new IllegalStateException("this runner process already bound " + fixture
                    + " to " + previous + "; start another for " + abs);
        }
        System.setProperty(property, abs);
        this.loader = new URLClassLoader(new URL[] {dir.resolve("classes").toUri().toURL()},
                Generated.class.getClassLoader());
        this.namespace = Class.forName(pkg + "." + upperCamel(component), true, loader);
        // Load the library now, as an import would: the generated UniffiLib binds every symbol
        // and checks the contract version and checksums when it initialises (else the first
        // scenario's first call would pay it).
        Class.forName(pkg + ".UniffiLib", true, loader);
        this.controls = SymbolLookup.libraryLookup(Path.of(abs), Arena.global());
        for (Object f : (List<Object>) iface.get("functions")) {
            Map<String, Object> fn = (Map<String, Object>) f;
            functions.put((String) fn.get("symbol"), fn);
        }
    }

    // --- names -----------------------------------------------------------------------------
    static String upperCamel(String snake) {
        StringBuilder out = new StringBuilder();
        for (String part : snake.split("_")) {
            if (!part.isEmpty()) {
                out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return out.toString();
    }

    static String lowerCamel(String snake) {
        String u = upperCamel(snake);
        return u.isEmpty() ? u : Character.toLowerCase(u.charAt(0)) + u.substring(1);
    }

    /** A generated error type's Java name: UniFFI's Kotlin-style rename (MyError → MyException). */
    static String javaTypeName(String udlName) {
        return udlName.endsWith("Error")
                ? udlName.substring(0, udlName.length() - 5) + "Exception" : udlName;
    }

    Class<?> type(String udlName) throws ClassNotFoundException {
        return Class.forName(pkg + "." + javaTypeName(udlName), true, loader);
    }

    /** interface.json's declaration of a function or method ("f", "Type.m"), or null. */
    Map<String, Object> declaration(String function) {
        String ns = (String) iface.get("namespace");
        int dot = function.indexOf('.');
        if (dot < 0) {
            return functions.get("uniffi_" + ns + "_fn_func_" + function);
        }
        String owner = function.substring(0, dot);
        String name = function.substring(dot + 1);
        Map<String, Object> m = functions.get(
                "uniffi_" + ns + "_fn_method_" + owner.toLowerCase() + "_" + name);
        if (m != null) {
            return m;
        }
        return functions.get("uniffi_" + ns + "_fn_constructor_" + owner.toLowerCase() + "_" + name);
    }

    // --- calls -----------------------------------------------------------------------------
    /** A resolved call: the method (or constructor) and whether it takes an executor. */
    record Callable(Method method, Constructor<?> constructor, Object receiver, boolean async,
                    Map<String, Object> decl) {}

    Callable callable(String function, Object receiver, int argc) throws ReflectiveOperationException {
        Map<String, Object> decl = declaration(function);
        int dot = function.indexOf('.');
        Class<?> owner;
        String name;
        if (dot < 0) {
            owner = namespace;
            name = lowerCamel(function);
        } else {
            owner = type(function.substring(0, dot));
            name = lowerCamel(function.substring(dot + 1));
            if (name.equals("new") && receiver == null) {
                for (Constructor<?> c : owner.getConstructors()) {
                    if (c.getParameterCount() == argc && !isHandleConstructor(c)) {
                        return new Callable(null, c, null, false, decl);
                    }
                }
                throw new NoSuchMethodException("the generated " + owner.getSimpleName()
                        + " has no public constructor for " + function);
            }
        }
        Method sync = null;
        Method asyncWithoutExecutor = null;
        for (Method m : owner.getMethods()) {
            if (!m.getName().equals(name) && !m.getName().equals("_" + name)) {
                continue;
            }
            boolean isStatic = Modifier.isStatic(m.getModifiers());
            if (receiver == null && !isStatic || receiver != null && isStatic) {
                continue;
            }
            Class<?>[] params = m.getParameterTypes();
            if (CompletableFuture.class.isAssignableFrom(m.getReturnType())
                    && params.length == argc + 1 && params[argc] == Executor.class) {
                return new Callable(m, null, receiver, true, decl);
            }
            if (params.length == argc && !CompletableFuture.class.isAssignableFrom(m.getReturnType())) {
                sync = m;
            }
            if (params.length == argc && CompletableFuture.class.isAssignableFrom(m.getReturnType())) {
                asyncWithoutExecutor = m;  // an interface's async method: no executor overload
            }
        }
        if (asyncWithoutExecutor != null) {
            return new Callable(asyncWithoutExecutor, null, receiver, true, decl);
        }
        if (sync != null) {
            return new Callable(sync, null, receiver, false, decl);
        }
        throw new NoSuchMethodException("the generated bindings have no " + function + " ("
                + owner.getName() + "." + name + " with " + argc + " argument(s))");
    }

    private static boolean isHandleConstructor(Constructor<?> c) {
        for (Class<?> p : c.getParameterTypes()) {
            if (p.getSimpleName().equals("NoHandle") || p.getSimpleName().equals("UniffiWithHandle")) {
                return true;
            }
        }
        return false;
    }

    /** Scenario values to the types the generated signature names. */
    Object[] arguments(Callable c, List<Object> args, Executor executor) throws Exception {
        Type[] types = c.method != null ? c.method.getGenericParameterTypes()
                : c.constructor.getGenericParameterTypes();
        List<String> udl = argTypes(c.decl);
        int arity = c.method != null ? c.method.getParameterCount() : c.constructor.getParameterCount();
        Object[] out = new Object[Math.max(arity, args.size())];
        for (int i = 0; i < args.size(); i++) {
            out[i] = toBinding(args.get(i), types[i], i < udl.size() ? udl.get(i) : null);
        }
        if (c.async && out.length > args.size() && c.method.getParameterCount() > args.size()) {
            out[args.size()] = executor;
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static List<String> argTypes(Map<String, Object> decl) {
        List<String> out = new ArrayList<>();
        if (decl != null && decl.get("args") instanceof List<?> list) {
            for (Object a : list) {
                out.add(String.valueOf(((Map<String, Object>) a).get("type")));
            }
        }
        return out;
    }

    /** One JSON value to what the generated code expects for `type`. */
    @SuppressWarnings("unchecked")
    Object toBinding(Object value, Type type, String udl) throws Exception {
        if (value == null) {
            return null;
        }
        Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType()
                : type instanceof Class<?> k ? k : Object.class;
        if (value instanceof Map<?, ?> map && map.size() == 1 && map.containsKey("$bytes")) {
            return java.util.HexFormat.of().parseHex((String) map.get("$bytes"));
        }
        if (value instanceof Number n) {
            checkRange(n, udl);
            if (raw == byte.class || raw == Byte.class) return n.byteValue();
            if (raw == short.class || raw == Short.class) return n.shortValue();
            if (raw == int.class || raw == Integer.class) return n.intValue();
            if (raw == long.class || raw == Long.class) return n.longValue();
            if (raw == float.class || raw == Float.class) return n.floatValue();
            if (raw == double.class || raw == Double.class) return n.doubleValue();
            return value;
        }
        if (value instanceof List<?> list && List.class.isAssignableFrom(raw)) {
            Type item = type instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
            String inner = udl != null && udl.startsWith("sequence<") ? udl.substring(9, udl.length() - 1) : null;
            List<Object> out = new ArrayList<>();
            for (Object v : list) {
                out.add(toBinding(v, item, inner));
            }
            return out;
        }
        if (value instanceof Map<?, ?> map && raw == Optional.class) {
            return value;
        }
        if (value instanceof Map<?, ?> map && raw.getPackageName().equals(pkg) && !raw.isInterface()) {
            return record(raw, (Map<String, Object>) map);
        }
        return value;
    }

    /** A JSON number must fit the declared UDL integer type: Java's integer types cannot carry
     *  an out-of-range value, so it is refused where it is converted (ArithmeticException). */
    static void checkRange(Number n, String udl) {
        if (udl == null || !udl.matches("[ui](8|16|32|64)")) {
            return;
        }
        java.math.BigInteger v = n instanceof java.math.BigInteger b ? b
                : n instanceof Double || n instanceof Float ? java.math.BigDecimal.valueOf(n.doubleValue()).toBigInteger()
                : java.math.BigInteger.valueOf(n.longValue());
        int bits = Integer.parseInt(udl.substring(1));
        java.math.BigInteger lo = udl.startsWith("u") ? java.math.BigInteger.ZERO
                : java.math.BigInteger.ONE.shiftLeft(bits - 1).negate();
        java.math.BigInteger hi = udl.startsWith("u") ? java.math.BigInteger.ONE.shiftLeft(bits).subtract(java.math.BigInteger.ONE)
                : java.math.BigInteger.ONE.shiftLeft(bits - 1).subtract(java.math.BigInteger.ONE);
        if (v.compareTo(lo) < 0 || v.compareTo(hi) > 0) {
            throw new ArithmeticException(n + " is out of range for " + udl + " (no Java value of the generated type holds it)");
        }
    }

    @SuppressWarnings("unchecked")
    private Object record(Class<?> cls, Map<String, Object> value) throws Exception {
        Map<String, Object> decl = (Map<String, Object>) ((Map<String, Object>) iface.get("types"))
                .get(cls.getSimpleName());
        if (decl == null || !"record".equals(decl.get("kind"))) {
            throw new IllegalArgumentException("no record " + cls.getSimpleName() + " in interface.json");
        }
        List<Object> fields = (List<Object>) decl.get("fields");
        for (Constructor<?> c : cls.getConstructors()) {
            if (c.getParameterCount() != fields.size()) {
                continue;
            }
            Type[] types = c.getGenericParameterTypes();
            Object[] args = new Object[fields.size()];
            for (int i = 0; i < args.length; i++) {
                Map<String, Object> f = (Map<String, Object>) fields.get(i);
                args[i] = toBinding(value.get((String) f.get("name")), types[i], (String) f.get("type"));
            }
            return c.newInstance(args);
        }
        throw new IllegalArgumentException("the generated " + cls.getSimpleName()
                + " has no constructor of its " + fields.size() + " fields");
    }

    // --- values back -----------------------------------------------------------------------
    /** Generated values to the protocol's JSON; `udl` (the declared type, may be null) says
     *  whether a Java integer is unsigned. */
    @SuppressWarnings("unchecked")
    Object toJson(Object value, String udl) throws Exception {
        if (value == null) {
            return null;
        }
        if (value instanceof String s) {
            if (s.length() > 4096) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("length", (long) s.length());
                byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                        .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                out.put("sha256", java.util.HexFormat.of().formatHex(digest));
                return Map.of("$string", out);
            }
            return s;
        }
        boolean unsigned = udl != null && udl.startsWith("u");
        if (value instanceof Byte b) return unsigned ? (long) Byte.toUnsignedInt(b) : (long) b;
        if (value instanceof Short s) return unsigned ? (long) Short.toUnsignedInt(s) : (long) s;
        if (value instanceof Integer i) return unsigned ? Integer.toUnsignedLong(i) : (long) i;
        if (value instanceof Long l) {
            if (unsigned && l < 0) {
                return new java.math.BigInteger(Long.toUnsignedString(l));
            }
            return l;
        }
        if (value instanceof Float f) return (double) f;
        if (value instanceof Double || value instanceof Boolean) return value;
        if (value instanceof byte[] bytes) return Map.of("$bytes", java.util.HexFormat.of().formatHex(bytes));
        if (value instanceof Optional<?> o) return o.isPresent() ? toJson(o.get(), null) : null;
        if (value instanceof List<?> list) {
            String inner = udl != null && udl.startsWith("sequence<") ? udl.substring(9, udl.length() - 1) : null;
            List<Object> out = new ArrayList<>();
            for (Object v : list) {
                out.add(toJson(v, inner));
            }
            return out;
        }
        if (value instanceof Enum<?> e) return Map.of("variant", upperCamel(e.name().toLowerCase()));
        if (value instanceof AutoCloseable) return Map.of("$object", objectTypeName(value.getClass()));
        if (java.lang.reflect.Proxy.isProxyClass(value.getClass())) return Map.of("$foreign", true);
        Map<String, Object> types = (Map<String, Object>) iface.get("types");
        Map<String, Object> decl = (Map<String, Object>) types.get(value.getClass().getSimpleName());
        if (decl != null && "record".equals(decl.get("kind"))) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Object f : (List<Object>) decl.get("fields")) {
                Map<String, Object> field = (Map<String, Object>) f;
                String name = (String) field.get("name");
                Object v = value.getClass().getMethod(lowerCamel(name)).invoke(value);
                out.put(name, toJson(v, (String) field.get("type")));
            }
            return out;
        }
        return value.toString();
    }

    /** The interface a producer object implements: its class, or for a trait the generated
     *  <Name>Impl class stands for, the trait. */
    static String objectTypeName(Class<?> cls) {
        String name = cls.getSimpleName();
        if (name.endsWith("Impl")) {
            for (Class<?> i : cls.getInterfaces()) {
                if (i.getSimpleName().equals(name.substring(0, name.length() - 4))) {
                    return i.getSimpleName();
                }
            }
        }
        return name;
    }

    // --- errors ----------------------------------------------------------------------------
    boolean isInternal(Throwable t) {
        return t.getClass().getName().equals(pkg + ".InternalException");
    }

    /** A generated error variant: its class is a nested class of a generated error type. */
    boolean isTypedError(Throwable t) {
        Class<?> cls = t.getClass();
        Class<?> base = cls.getSuperclass();
        return cls.getClassLoader() == loader && base != null
                && base.getName().startsWith(pkg + ".") && !isInternal(t);
    }

    /** The protocol's {"type", "value": {"variant", fields}} of a generated error. */
    @SuppressWarnings("unchecked")
    Map<String, Object> describeError(Throwable t) throws Exception {
        Class<?> base = t.getClass().getSuperclass();
        Map<String, Object> types = (Map<String, Object>) iface.get("types");
        String udlName = base.getSimpleName();
        for (String candidate : types.keySet()) {
            if (javaTypeName(candidate).equals(base.getSimpleName())) {
                udlName = candidate;
            }
        }
        Map<String, Object> value = new LinkedHashMap<>();
        String variant = t.getClass().getSimpleName();
        Map<String, Object> decl = (Map<String, Object>) types.get(udlName);
        if (decl != null && decl.get("variants") instanceof List<?> variants) {
            for (Object v : variants) {
                String n = (String) ((Map<String, Object>) v).get("name");
                if (javaTypeName(n).equals(variant) || n.equals(variant)) {
                    variant = n;
                    for (Object f : (List<Object>) ((Map<String, Object>) v).get("fields")) {
                        Map<String, Object> field = (Map<String, Object>) f;
                        String fname = (String) field.get("name");
                        Object fv = t.getClass().getMethod(lowerCamel(fname)).invoke(t);
                        value.put(fname, toJson(fv, (String) field.get("type")));
                    }
                }
            }
        }
        value.put("variant", variant);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", udlName);
        out.put("value", value);
        return out;
    }

    /** The generated exception for a declared error value ({"variant": name, fields...}). */
    @SuppressWarnings("unchecked")
    Throwable makeError(String udlType, Object value) throws Exception {
        String variant = value instanceof String s ? s : (String) ((Map<String, Object>) value).get("variant");
        Class<?> base = type(udlType);
        for (Class<?> nested : base.getClasses()) {
            if (nested.getSimpleName().equals(javaTypeName(variant))) {
                Constructor<?> c = nested.getConstructors()[0];
                Object[] args = new Object[c.getParameterCount()];
                if (args.length > 0 && value instanceof Map<?, ?> map) {
                    int i = 0;
                    for (Map.Entry<?, ?> e : map.entrySet()) {
                        if (!"variant".equals(e.getKey()) && i < args.length) {
                            args[i] = toBinding(e.getValue(), c.getGenericParameterTypes()[i], null);
                            i++;
                        }
                    }
                }
                return (Throwable) c.newInstance(args);
            }
        }
        throw new NoSuchMethodException("the generated " + base.getSimpleName() + " has no variant " + variant);
    }

    // --- the fixture's control exports -------------------------------------------------------
    private MethodHandle control(String name, FunctionDescriptor descriptor) {
        return controls.find(name).map(s -> Linker.nativeLinker().downcallHandle(s, descriptor)).orElse(null);
    }

    void monitorBegin(String scenario, long seed, double timeScale) throws Throwable {
        MethodHandle configure = control("asyncabi_fixture_configure",
                FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG, ValueLayout.JAVA_DOUBLE));
        MethodHandle reset = control("asyncabi_monitor_reset", FunctionDescriptor.ofVoid());
        MethodHandle setScenario = control("asyncabi_monitor_set_scenario",
                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
        if (configure != null) configure.invoke(seed, timeScale);
        if (reset != null) reset.invoke();
        if (setScenario != null) {
            try (Arena arena = Arena.ofConfined()) {
                setScenario.invoke(arena.allocateFrom(scenario));
            }
        }
    }

    void setMode(String mode) throws Throwable {
        MethodHandle set = control("asyncabi_fixture_set_mode",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        if (set != null) {
            try (Arena arena = Arena.ofConfined()) {
                int rc = (int) set.invoke(arena.allocateFrom(mode));
                if (rc != 0) System.err.println("uniffi-java: asyncabi_fixture_set_mode(" + mode + ") = " + rc);
            }
        }
    }

    Object monitorEnd() throws Throwable {
        MethodHandle finish = control("asyncabi_monitor_finish", FunctionDescriptor.of(ValueLayout.JAVA_INT));
        MethodHandle report = control("asyncabi_monitor_report_json", FunctionDescriptor.of(ValueLayout.ADDRESS));
        MethodHandle free = control("asyncabi_monitor_free_string", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
        if (finish == null || report == null) {
            return null;
        }
        int ignored = (int) finish.invoke();
        MemorySegment p = (MemorySegment) report.invoke();
        if (p.equals(MemorySegment.NULL)) {
            return null;
        }
        try {
            return Json.parse(p.reinterpret(Long.MAX_VALUE).getString(0));
        } finally {
            if (free != null) free.invoke(p);
            if (ignored < 0) System.err.println("uniffi-java: asyncabi_monitor_finish returned " + ignored);
        }
    }
}
