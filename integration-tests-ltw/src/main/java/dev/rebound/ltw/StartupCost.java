package dev.rebound.ltw;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Measures what load-time weaving adds to start-up: JVMs that load and initialise every class of the
 * integration tests (rebound-integration-tests, woven by ajc, and this module's, compiled by javac),
 * started alternately without and with the agent; prints the medians. Run by
 * {@code mvn -B -q -pl integration-tests-ltw -am test-compile exec:exec}.
 */
public final class StartupCost {

    private static final int ROUNDS = 5;

    private StartupCost() {
    }

    /** {@code args[0]}: the aspectjweaver jar. */
    public static void main(String[] args) throws Exception {
        String agent = "-javaagent:" + args[0];
        run(agent, true); // warm the disk cache
        // [agent?][load the classes?]: wall times of each round
        long[][][] ms = new long[2][2][ROUNDS];
        long classes = 0;
        for (int i = 0; i < ROUNDS; i++) {
            for (int a = 0; a < 2; a++) {
                for (int l = 0; l < 2; l++) {
                    long[] r = run(a == 1 ? agent : null, l == 1);
                    ms[a][l][i] = r[0];
                    classes = Math.max(classes, r[1]);
                }
            }
        }
        long plain = median(ms[0][1]);
        long woven = median(ms[1][1]);
        long bootstrap = median(ms[1][0]) - median(ms[0][0]);
        System.out.printf("JVMs loading and initialising the %d classes of the integration tests (median of %d):"
                + " %d ms without the agent, %d ms with it: +%d ms, of which %d ms is the weaver starting up"
                + " (measured on a JVM that loads none of them) and %d ms weaving the classes.%n",
                classes, ROUNDS, plain, woven, woven - plain, bootstrap, woven - plain - bootstrap);
    }

    /** Starts a JVM running {@link LoadAll}; returns its wall time in ms and the number of classes loaded. */
    private static long[] run(String agent, boolean load) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (agent != null) {
            command.add(agent);
        }
        command.addAll(List.of("-cp", applicationClassPath(), LoadAll.class.getName(), Boolean.toString(load)));
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes()).trim();
        if (process.waitFor() != 0) {
            throw new IllegalStateException(command + " failed:\n" + out);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        return new long[] {ms, Long.parseLong(out.substring(out.lastIndexOf('\n') + 1))};
    }

    /** The class path without test classes (and their test-only META-INF/aop.xml). */
    private static String applicationClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.endsWith("test-classes"))
                .reduce((a, b) -> a + File.pathSeparator + b).orElseThrow();
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /**
     * Loads and initialises every class of the integration tests on the class path (none if
     * {@code args[0]} is false); prints how many.
     */
    public static final class LoadAll {

        private LoadAll() {
        }

        public static void main(String[] args) throws IOException {
            int n = 0;
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                if (Boolean.parseBoolean(args[0]) && entry.contains("integration-tests")) {
                    for (String name : classNames(Path.of(entry))) {
                        try {
                            Class.forName(name, true, LoadAll.class.getClassLoader());
                        } catch (ReflectiveOperationException | LinkageError misconfiguredOnPurpose) {
                            // a class whose annotations are wrong fails its initialisation, as it should
                        }
                        n++;
                    }
                }
            }
            System.out.println(n);
        }

        private static List<String> classNames(Path entry) throws IOException {
            List<String> files = new ArrayList<>();
            if (Files.isDirectory(entry)) {
                try (Stream<Path> walk = Files.walk(entry)) {
                    walk.forEach(p -> files.add(entry.relativize(p).toString().replace(File.separatorChar, '/')));
                }
            } else {
                try (JarFile jar = new JarFile(entry.toFile())) {
                    jar.stream().forEach(e -> files.add(e.getName()));
                }
            }
            return files.stream().filter(f -> f.endsWith(".class") && !f.contains("AjcClosure")
                            && !f.endsWith("module-info.class") && !f.contains("StartupCost"))
                    .map(f -> f.substring(0, f.length() - ".class".length()).replace('/', '.')).toList();
        }
    }
}
