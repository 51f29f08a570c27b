package dev.rebound.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * One benchmark's figures: its path (the benchmark class), whether Rebound's logger was at INFO, its
 * contender (the benchmark method), ns/op with JMH's error (the half-width of its 99.9% confidence
 * interval), and B/op from {@code -prof gc} (NaN when the profiler did not run).
 */
record Measurement(String path, boolean reboundAtInfo, String contender, double nanos, double error,
        double bytes) {

    static List<Measurement> of(Collection<RunResult> results) {
        List<Measurement> all = new ArrayList<>();
        for (RunResult r : results) {
            String benchmark = r.getParams().getBenchmark();
            int dot = benchmark.lastIndexOf('.');
            String method = benchmark.substring(dot + 1);
            String cls = benchmark.substring(benchmark.lastIndexOf('.', dot - 1) + 1, dot);
            String logger = r.getParams().getParam("reboundLogger");
            Result<?> primary = r.getPrimaryResult();
            all.add(new Measurement(cls, ReboundLogger.INFO.equals(logger), method, primary.getScore(),
                    primary.getScoreError(), bytesPerOp(r)));
        }
        return all;
    }

    /** B/op from {@code -prof gc}, or NaN when it did not run. */
    @SuppressWarnings("rawtypes")
    private static double bytesPerOp(RunResult r) {
        for (Map.Entry<String, Result> e : r.getSecondaryResults().entrySet()) {
            if (e.getKey().endsWith("gc.alloc.rate.norm")) {
                return e.getValue().getScore();
            }
        }
        return Double.NaN;
    }

    /** The table's row: the path, and for the INFO trials a second row of it. */
    String row() {
        return reboundAtInfo ? path + "@info" : path;
    }
}
