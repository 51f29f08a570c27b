package dev.rebound.fleet;

import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import redis.embedded.RedisServer;

/**
 * The fleet figure: N instances, each a separate JVM with its own Rebound state, call one model server
 * that enforces R requests per minute with 429s, for (a) no limiter, (b) a per-instance limiter of R/N,
 * (c) the shared limiter on Redis. Load is uneven, as behind a real load balancer: instance 1 sends a
 * call every 100 ms, every other instance one every 2 s. Prints one row per case. Loopback only; bounded
 * in count (the schedule) and in time (each instance is stopped after the run plus 60 s).
 *
 * <p>{@code FLEET_INSTANCES} (default 4), {@code FLEET_RPM} (60), {@code FLEET_SECONDS} (20) and
 * {@code FLEET_CASES} (default {@code none,local,shared,dead}) change it.
 */
public final class FleetFigure {

    public static void main(String[] args) throws Exception {
        quietLettuce();
        int instances = env("FLEET_INSTANCES", 4);
        int rpm = env("FLEET_RPM", 60);
        int seconds = env("FLEET_SECONDS", 20);
        int redisPort = freePort();
        RedisServer redis = RedisServer.newRedisServer().bind("127.0.0.1").port(redisPort)
                .setting("save \"\"").setting("appendonly no").build();
        redis.start();
        RedisClient raw = RedisClient.create("redis://127.0.0.1:" + redisPort);
        try (ModelServer server = ModelServer.start(); StatefulRedisConnection<String, String> redisCommands = raw.connect()) {
            System.out.printf(Locale.ROOT, "%d instances, a limit of %d requests/minute, %d s per case; "
                    + "instance 1 calls every 100 ms, the others every 2000 ms%n%n", instances, rpm, seconds);
            System.out.println("| case | calls | requests sent | 429s | answered by primary | by fallback "
                    + "| failed | added latency p50 | p99 |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            String cases = System.getenv().getOrDefault("FLEET_CASES", "none,local,shared,dead");
            for (String mode : List.of("none", "local", "shared")) {
                if (!cases.contains(mode)) {
                    continue;
                }
                server.reset();
                server.limitRequestsPerMinute(Instance.PRIMARY, rpm);
                redisCommands.sync().flushall();
                run(mode, instances, rpm, seconds, server, "redis://127.0.0.1:" + redisPort);
            }
            if (!cases.contains("dead")) {
                return;
            }
            System.out.println();
            System.out.println("A dead primary (every request answered 503), each instance with a circuit breaker "
                    + "(defaults: 20 attempts, ratio 0.5, 5 s open, 1 probe):");
            System.out.println();
            System.out.println("| case | calls | requests sent | 429s | answered by primary | by fallback "
                    + "| failed | added latency p50 | p99 |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            server.reset();
            server.always(Instance.PRIMARY, Fault.unavailable());
            run("dead", instances, rpm, seconds, server, "redis://127.0.0.1:" + redisPort);
            server.reset();
            server.always(Instance.PRIMARY, Fault.unavailable());
            redisCommands.sync().flushall();
            run("dead-shared", instances, rpm, seconds, server, "redis://127.0.0.1:" + redisPort);
            System.out.println();
            StoreCost.print("redis://127.0.0.1:" + redisPort);
        } finally {
            raw.shutdown(0, 1, TimeUnit.SECONDS);
            redis.stop();
        }
    }

    private static void run(String mode, int instances, int rpm, int seconds, ModelServer server, String redisUri)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> fleet = new ArrayList<>();
        List<BufferedReader> outputs = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            ProcessBuilder pb = new ProcessBuilder(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"), Instance.class.getName(), server.baseUrl(), mode,
                    Integer.toString(rpm), Integer.toString(instances), i == 0 ? "100" : "2000",
                    Integer.toString(seconds), redisUri);
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
            Process p = pb.start();
            fleet.add(p);
            outputs.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
        }
        try {
            for (BufferedReader out : outputs) {
                expect(out, "READY");
            }
            for (Process p : fleet) {
                OutputStream in = p.getOutputStream();
                in.write('\n');
                in.flush();
            }
            long calls = 0;
            long primary = 0;
            long fallback = 0;
            List<Long> added = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                String[] r = expect(outputs.get(i), "RESULT ").split(" ");
                long baseline = Long.parseLong(r[1]);
                calls += Long.parseLong(r[2]);
                primary += Long.parseLong(r[3]);
                fallback += Long.parseLong(r[4]);
                if (r.length > 5) {
                    for (String l : r[5].split(",")) {
                        added.add(Math.max(0, Long.parseLong(l) - baseline));
                    }
                }
            }
            long[] sorted = added.stream().mapToLong(Long::longValue).sorted().toArray();
            String label = mode.equals("dead") ? "(d) dead primary, a breaker per instance"
                    : mode.equals("dead-shared") ? "(e) dead primary, open state shared on Redis"
                    : mode.equals("none") ? "(a) no limiter"
                    : mode.equals("local") ? "(b) per instance, R/N = " + Math.max(1, rpm / instances) + "/min"
                    : "(c) shared on Redis, R = " + rpm + "/min";
            System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %d | %s | %s |%n", label, calls,
                    server.requests(Instance.PRIMARY), server.rateLimited(Instance.PRIMARY), primary, fallback,
                    calls - primary - fallback, millis(percentile(sorted, 50)), millis(percentile(sorted, 99)));
        } finally {
            for (Process p : fleet) {
                if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    private static String expect(BufferedReader out, String prefix) throws IOException {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new IOException("an instance ended without printing " + prefix.trim());
    }

    private static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static String millis(long micros) {
        return String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
    }

    /** Lettuce and Netty log through java.util.logging here (slf4j-nop): their INFO lines are not the figure. */
    static void quietLettuce() {
        for (String name : new String[] {"io.lettuce", "io.netty"}) {
            java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
            logger.setLevel(java.util.logging.Level.WARNING);
            QUIETED.add(logger); // a logger only weakly held would forget its level
        }
    }

    private static final List<java.util.logging.Logger> QUIETED = new ArrayList<>();

    private static int env(String name, int fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.trim());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

}
