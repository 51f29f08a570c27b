package dev.rebound.benchmarks;

import java.util.Collection;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the suite and prints the README's table. Any JMH option may be given and wins over the
 * defaults below, which keep the whole suite under 10 minutes on 2 cores: 1 fork, 3 warm-up and 5
 * measured iterations of 1 s each, {@code -prof gc} for B/op.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar                      # the whole suite
 * java -jar benchmarks/target/benchmarks.jar 'HappyPath\.' -wi 1 -i 1 -w 200ms -r 200ms   # a smoke run
 * </pre>
 */
public final class Suite {

    private Suite() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        if (cli.shouldHelp()) {
            cli.showHelp();
            return;
        }
        ChainedOptionsBuilder options = new OptionsBuilder().parent(cli);
        if (cli.getIncludes().isEmpty()) {
            options.include(Suite.class.getPackageName() + "\\.");
        }
        if (!cli.getForkCount().hasValue()) {
            options.forks(1);
        }
        if (!cli.getWarmupIterations().hasValue()) {
            options.warmupIterations(3);
        }
        if (!cli.getWarmupTime().hasValue()) {
            options.warmupTime(TimeValue.seconds(1));
        }
        if (!cli.getMeasurementIterations().hasValue()) {
            options.measurementIterations(5);
        }
        if (!cli.getMeasurementTime().hasValue()) {
            options.measurementTime(TimeValue.seconds(1));
        }
        if (cli.getProfilers().isEmpty()) {
            options.addProfiler(GCProfiler.class);
        }
        String loadBefore = ResultTable.loadAverage();
        long start = System.nanoTime();
        Collection<RunResult> results = new Runner(options.build()).run();
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        System.out.println();
        System.out.println(ResultTable.environment(seconds, loadBefore));
        System.out.println();
        System.out.print(ResultTable.of(results).markdown());
    }
}
