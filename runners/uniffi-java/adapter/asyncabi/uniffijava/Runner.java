package asyncabi.uniffijava;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runner protocol (docs/runner-protocol.md) over uniffi-bindgen-java's generated bindings:
 *
 *     java --enable-native-access=ALL-UNNAMED -cp ADAPTER asyncabi.uniffijava.Runner --bindings DIR
 *
 * DIR holds one folder per fixture (bindings.json, classes/). One JVM serves a whole session.
 */
public final class Runner {
    static final List<String> CAPABILITIES = List.of("cancellation", "foreign_async", "threads");

    private final Path bindings;
    private final PrintStream out;
    private final Map<String, Generated> generated = new HashMap<>();
    private final Map<String, Map<String, Object>> interfaces = new HashMap<>();

    private Runner(Path bindings, PrintStream out) {
        this.bindings = bindings;
        this.out = out;
    }

    public static void main(String[] args) throws Throwable {
        if (args.length > 2 && args[0].equals("--bindings") && args[2].equals("--bench")) {
            Bench.main(Path.of(args[1]), List.of(args).subList(3, args.length));  // Bench.java
            System.exit(0);
        }
        if (args.length != 2 || !args[0].equals("--bindings")) {
            System.err.println("uniffi-java: usage: Runner --bindings DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[1]);
        if (!Files.isDirectory(dir)) {
            System.err.println("uniffi-java: no generated bindings at " + dir
                    + " (build the target uniffi_java_bindings)");
            System.exit(2);
        }
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.setOut(System.err);  // stdout carries the protocol only
        new Runner(dir, protocol).serve();
        System.exit(0);
    }

    private void send(Object message) {
        synchronized (out) {
            out.println(Json.write(message));
            out.flush();
        }
    }

    private Map<String, Object> hello() {
        Map<String, Object> hello = new LinkedHashMap<>();
        hello.put("name", "uniffi-java");
        hello.put("version", "0.1.0");
        hello.put("language", "java");
        hello.put("implementation", "uniffi-bindgen-java 0.5.2 generated bindings (FFM API), "
                + System.getProperty("java.vm.name") + " " + Runtime.version());
        hello.put("protocol", 1L);
        hello.put("capabilities", CAPABILITIES);
        return Map.of("hello", hello);
    }

    @SuppressWarnings("unchecked")
    private void serve() throws Exception {
        send(hello());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            Object message;
            try {
                message = Json.parse(line);
            } catch (RuntimeException e) {
                send(Map.of("error", Scenario.map("id", null, "message", "bad JSON: " + e.getMessage())));
                continue;
            }
            if (!(message instanceof Map<?, ?> m)) {
                send(Map.of("error", Scenario.map("id", null, "message", "not a JSON object")));
                continue;
            }
            if (m.containsKey("stop")) {
                break;
            }
            Object request = m.get("run");
            if (!(request instanceof Map<?, ?>)) {
                send(Map.of("error", Scenario.map("id", null, "message", "unknown request " + m.keySet())));
                continue;
            }
            Map<String, Object> run = (Map<String, Object>) request;
            try {
                send(run(run));
            } catch (Throwable t) {
                t.printStackTrace();
                send(Map.of("error", Scenario.map("id", run.get("id"),
                        "message", t.getClass().getName() + ": " + t.getMessage())));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> run(Map<String, Object> request) throws Throwable {
        Map<String, Object> scenario = (Map<String, Object>) request.get("scenario");
        long seed = request.get("seed") instanceof Number n ? n.longValue() : 0;
        double timeScale = request.get("time_scale") instanceof Number n ? n.doubleValue() : 1.0;
        Map<String, Object> fixtures = (Map<String, Object>) request.get("fixtures");
        Map<String, Generated> gens = new LinkedHashMap<>();
        for (Object f : (List<Object>) scenario.get("fixtures")) {
            String name = (String) f;
            Map<String, Object> paths = (Map<String, Object>) fixtures.get(name);
            if (paths == null) {
                throw new IllegalArgumentException("the request names no library for fixture " + name);
            }
            gens.put(name, generated(name, (String) paths.get("library"), (String) paths.get("interface")));
        }
        for (Generated g : gens.values()) {
            g.monitorBegin((String) scenario.get("id"), seed, timeScale);
            if (scenario.get("fixture_mode") instanceof String mode) {
                g.setMode(mode);
            }
        }
        long start = System.nanoTime();
        List<Object> steps = new Scenario(scenario, gens, timeScale).run();
        double elapsed = Scenario.ms(start);
        Map<String, Object> monitor = new LinkedHashMap<>();
        for (Map.Entry<String, Generated> e : gens.entrySet()) {
            monitor.put(e.getKey(), e.getValue().monitorEnd());
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("id", request.get("id"));
        result.put("steps", steps);
        result.put("elapsed_ms", elapsed);
        result.put("monitor", monitor);
        return Map.of("result", result);
    }

    @SuppressWarnings("unchecked")
    private Generated generated(String fixture, String library, String interfacePath) throws Exception {
        String key = fixture + "\u0000" + Path.of(library).toAbsolutePath();
        Generated g = generated.get(key);
        if (g == null) {
            Map<String, Object> iface = interfaces.get(interfacePath);
            if (iface == null) {
                iface = (Map<String, Object>) Json.parse(Files.readString(Path.of(interfacePath)));
                interfaces.put(interfacePath, iface);
            }
            g = new Generated(bindings, fixture, library, iface);
            generated.put(key, g);
        }
        return g;
    }
}
