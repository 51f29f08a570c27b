package dev.rebound.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the suite, then prints the table, the targets read from it and the path of the chart it
 * writes. Any JMH option may be given and wins over the defaults below, which keep the whole suite
 * (build included) under 10 minutes on 2 cores: 1 fork, {@value #WARMUPS} warm-up and
 * {@value #MEASUREMENTS} measured iterations of {@value #ITERATION_MS} ms each, {@code -prof gc}
 * for B/op. Every fork binds SLF4J to Logback ({@code -Dslf4j.provider}) and runs on a heap of
 * fixed size whose pages are touched before the first iteration ({@link #HEAP}), unless the
 * command line sets the heap itself.
 *
 * <p>Without a benchmark pattern, the whole suite runs in two passes: every benchmark with
 * Rebound's logger off, then Rebound's doors on paths (a) to (d) again with its logger at INFO into
 * an appender that does nothing ({@code -p reboundLogger=info}). The chart goes to
 * {@code -Drebound.chart=FILE}; by default, for the whole suite run from the repository's root, to
 * {@value #DOCS_CHART}, else beside the jar.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar                      # the whole suite
 * java -jar benchmarks/target/benchmarks.jar 'HappyPath\.' -wi 1 -i 1 -w 200ms -r 200ms   # a smoke run
 * java -jar benchmarks/target/benchmarks.jar 'FallbackAnswers\.rebound' -p reboundLogger=off,info
 * </pre>
 */
public final class Suite {

    static final int WARMUPS = 3;
    static final int MEASUREMENTS = 6;
    static final int ITERATION_MS = 500;

    static final String HEAP_SIZE = "256m";
    /**
     * Each fork's heap: {@value #HEAP_SIZE}, fixed, its pages touched as the JVM starts, in huge pages where
     * the kernel gives them (THP in {@code madvise} mode; elsewhere the flag changes nothing). Without it, a
     * heap that grows keeps taking pages never touched before through a fork's first seconds: on a virtual
     * machine where the first touch of a page is slow (seen here: a JVM that touches 1 GB starts in 15 s,
     * against 0.7 s for one that touches nothing), every contender that allocates ran 10 to 30 times slower
     * for whole iterations at a time, the peers (which allocate most) the most, while those that allocate
     * nothing did not. Paid once per fork, before JMH's clock starts.
     */
    static final List<String> HEAP = List.of("-Xms" + HEAP_SIZE, "-Xmx" + HEAP_SIZE, "-XX:+AlwaysPreTouch",
            "-XX:+UseTransparentHugePages");

    static final String DOCS_CHART = "docs/reports/performance-overhead.svg";
    static final String CHART_FILE = "performance-overhead.svg";

    /** Rebound's doors on the paths with a peer to compare: the INFO pass. */
    static final String INFO_PASS = Suite.class.getPackageName()
            + "\\.(HappyPath|OneFailureThenSuccess|FallbackAnswers|HappyPathFourThreads)\\.rebound(Woven|Guice|Wrap)$";

    private Suite() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        if (cli.shouldHelp()) {
            cli.showHelp();
            return;
        }
        boolean whole = cli.getIncludes().isEmpty();
        String loadBefore = ResultTable.loadAverage();
        long start = System.nanoTime();
        List<RunResult> results = new ArrayList<>();
        ChainedOptionsBuilder all = defaults(cli);
        if (whole) {
            all.include(Suite.class.getPackageName() + "\\.");
        }
        results.addAll(run(all.build()));
        if (whole) {
            results.addAll(run(defaults(cli).include(INFO_PASS).param("reboundLogger", ReboundLogger.INFO).build()));
        }
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;

        ResultTable table = ResultTable.of(Measurement.of(results));
        String environment = ResultTable.environment(seconds, loadBefore);
        Path chart = chartFile(whole);
        Chart.write(table, List.of(environment, Versions.line()), chart);

        System.out.println();
        System.out.println(environment);
        System.out.println(Versions.line());
        System.out.println();
        System.out.print(table.markdown());
        System.out.println();
        System.out.println("The peers, each at its best:");
        System.out.println();
        System.out.println(Contenders.PEERS_AT_THEIR_BEST);
        System.out.println();
        System.out.print(new Targets(table).markdown());
        System.out.println();
        System.out.println("Chart: " + chart.toAbsolutePath().normalize());
    }

    private static Collection<RunResult> run(Options options) throws Exception {
        return new Runner(options).run();
    }

    /** The command line's options over the suite's defaults. */
    private static ChainedOptionsBuilder defaults(CommandLineOptions cli) {
        ChainedOptionsBuilder options = new OptionsBuilder().parent(cli);
        if (!cli.getForkCount().hasValue()) {
            options.forks(1);
        }
        if (!cli.getWarmupIterations().hasValue()) {
            options.warmupIterations(WARMUPS);
        }
        if (!cli.getWarmupTime().hasValue()) {
            options.warmupTime(TimeValue.milliseconds(ITERATION_MS));
        }
        if (!cli.getMeasurementIterations().hasValue()) {
            options.measurementIterations(MEASUREMENTS);
        }
        if (!cli.getMeasurementTime().hasValue()) {
            options.measurementTime(TimeValue.milliseconds(ITERATION_MS));
        }
        if (cli.getProfilers().isEmpty()) {
            options.addProfiler(GCProfiler.class);
        }
        options.jvmArgsAppend(forkArguments(cli).toArray(String[]::new));
        return options;
    }

    /**
     * What every fork is given after the command line's {@code -jvmArgsAppend}: {@link #HEAP} first, unless any
     * of the command line's JVM arguments already sizes the heap or touches it ({@code -Xms}, {@code -Xmx},
     * {@code AlwaysPreTouch}), then SLF4J's provider.
     */
    static List<String> forkArguments(CommandLineOptions cli) {
        List<String> given = new ArrayList<>();
        given.addAll(cli.getJvmArgs().orElse(List.of()));
        given.addAll(cli.getJvmArgsPrepend().orElse(List.of()));
        given.addAll(cli.getJvmArgsAppend().orElse(List.of()));
        boolean heapGiven = given.stream().anyMatch(a -> a.startsWith("-Xms") || a.startsWith("-Xmx")
                || a.contains("AlwaysPreTouch"));
        List<String> jvmArgs = new ArrayList<>();
        if (!heapGiven) {
            jvmArgs.addAll(HEAP);
        }
        jvmArgs.addAll(cli.getJvmArgsAppend().orElse(List.of()));
        jvmArgs.add("-Dslf4j.provider=" + ReboundLogger.PROVIDER);
        return jvmArgs;
    }

    private static Path chartFile(boolean whole) throws Exception {
        String chosen = System.getProperty("rebound.chart");
        if (chosen != null) {
            return Path.of(chosen);
        }
        if (whole && Files.isDirectory(Path.of("benchmarks")) && Files.isDirectory(Path.of("runtime"))) {
            return Path.of(DOCS_CHART);
        }
        Path jar = Path.of(Suite.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = Files.isDirectory(jar) ? jar : jar.getParent();
        return dir.resolve(CHART_FILE);
    }
}
