package dev.rebound.benchmarks;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * The suite's results as one Markdown table: a row per path (benchmark class), a column per
 * contender (benchmark method), each cell {@code ns/op / B/op}.
 */
final class ResultTable {

    /** Rows in the order of the issue; a class not listed here is added after them. */
    private static final Map<String, String> ROWS = ordered(
            "HappyPath", "(a) happy path",
            "OneFailureThenSuccess", "(b) one failure, then success",
            "FallbackAnswers", "(c) fallback answers",
            "HappyPathFourThreads", "(d) happy path, 4 threads",
            "UnannotatedMethod", "(e) method without annotation",
            "Floors", "machinery alone (happy path)");

    /** Columns in this order; a method not listed here is added after them. */
    private static final Map<String, String> COLUMNS = ordered(
            "direct", "direct",
            "handLoop", "hand-written loop",
            "reboundWoven", "Rebound woven",
            "reboundGuice", "Rebound Guice",
            "reboundWrap", "Rebound.wrap",
            "reboundWrapBreaker", "Rebound.wrap + breaker",
            "resilience4j", "resilience4j",
            "failsafe", "Failsafe",
            "springRetry", "Spring Retry",
            "smallRye", "SmallRye FT",
            "jdkProxyAlone", "JDK proxy alone",
            "guiceInterceptorAlone", "Guice interceptor alone",
            "threadSleepZero", "Thread.sleep(0) alone");

    private final Map<String, Map<String, String>> cells = new LinkedHashMap<>();
    private final List<String> columns = new ArrayList<>();

    private ResultTable() {
    }

    static ResultTable of(Collection<RunResult> results) {
        ResultTable table = new ResultTable();
        for (String row : ROWS.keySet()) {
            table.cells.put(row, new LinkedHashMap<>());
        }
        List<String> seen = new ArrayList<>();
        for (RunResult r : results) {
            String benchmark = r.getParams().getBenchmark();
            int dot = benchmark.lastIndexOf('.');
            String method = benchmark.substring(dot + 1);
            String cls = benchmark.substring(benchmark.lastIndexOf('.', dot - 1) + 1, dot);
            Result<?> primary = r.getPrimaryResult();
            table.cells.computeIfAbsent(cls, c -> new LinkedHashMap<>())
                    .put(method, cell(primary.getScore(), bytesPerOp(r)));
            if (!seen.contains(method)) {
                seen.add(method);
            }
        }
        for (String c : COLUMNS.keySet()) {
            if (seen.contains(c)) {
                table.columns.add(c);
            }
        }
        for (String c : seen) {
            if (!table.columns.contains(c)) {
                table.columns.add(c);
            }
        }
        table.cells.values().removeIf(Map::isEmpty);
        return table;
    }

    /** B/op from {@code -prof gc}, or NaN when it did not run. */
    private static double bytesPerOp(RunResult r) {
        for (Map.Entry<String, Result> e : r.getSecondaryResults().entrySet()) {
            if (e.getKey().endsWith("gc.alloc.rate.norm")) {
                return e.getValue().getScore();
            }
        }
        return Double.NaN;
    }

    static String cell(double nanos, double bytes) {
        String time = nanos < 10 ? String.format(Locale.ROOT, "%.1f", nanos)
                : String.format(Locale.ROOT, "%.0f", nanos);
        String alloc = Double.isNaN(bytes) ? "?" : String.format(Locale.ROOT, "%.0f", Math.abs(bytes));
        return time + " / " + alloc;
    }

    String markdown() {
        StringBuilder sb = new StringBuilder("| path (ns/op / B/op) |");
        for (String c : columns) {
            sb.append(' ').append(COLUMNS.getOrDefault(c, c)).append(" |");
        }
        sb.append("\n|---|");
        sb.append("---|".repeat(columns.size()));
        sb.append('\n');
        cells.forEach((row, byColumn) -> {
            sb.append("| ").append(ROWS.getOrDefault(row, row)).append(" |");
            for (String c : columns) {
                sb.append(' ').append(byColumn.getOrDefault(c, "-")).append(" |");
            }
            sb.append('\n');
        });
        return sb.toString();
    }

    /** The line the README quotes above the table. */
    static String environment(long seconds) {
        Runtime rt = Runtime.getRuntime();
        return String.format(Locale.ROOT, "%s, %d cores, %s %s (%s), %s; suite took %d s",
                LocalDate.now(ZoneOffset.UTC), rt.availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), System.getProperty("os.arch"),
                System.getProperty("os.name"), seconds);
    }

    private static Map<String, String> ordered(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}
