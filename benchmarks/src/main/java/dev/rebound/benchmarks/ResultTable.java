package dev.rebound.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The suite's results as Markdown tables: a row per path (benchmark class), and a second row for
 * the trials that ran Rebound's logger at INFO; a column per contender (benchmark method); each cell
 * {@code ns/op / B/op}. The paths share one table; the other benchmarks follow in their own.
 */
final class ResultTable {

    /** Paths in the order of the issue; a class not listed here is added after them. */
    static final Map<String, String> PATHS = ordered(
            "HappyPath", "(a) happy path",
            "OneFailureThenSuccess", "(b) one failure, then success",
            "FallbackAnswers", "(c) fallback answers",
            "HappyPathFourThreads", "(d) happy path, 4 threads",
            "UnannotatedMethod", "(e) method without annotation",
            "Floors", "machinery alone (happy path)");

    /** Columns in this order; a method not listed here is added after them. */
    static final Map<String, String> COLUMNS = ordered(
            "direct", "direct",
            "handLoop", "hand-written loop",
            "reboundWoven", "Rebound woven",
            "reboundGuice", "Rebound Guice",
            "reboundGuiceWrapping", "Rebound Guice, wrapping",
            "reboundWrap", "Rebound.wrap",
            "reboundWrapProxy", "Rebound.wrap, JDK proxy",
            "reboundWrapBreaker", "Rebound.wrap + breaker",
            "resilience4j", "resilience4j",
            "failsafe", "Failsafe",
            "springRetry", "Spring Retry",
            "smallRye", "SmallRye FT",
            "jdkProxyAlone", "JDK proxy alone",
            "guiceInterceptorAlone", "Guice interceptor alone",
            "ajcClosureAlone", "AspectJ closure alone",
            "threadSleepZero", "Thread.sleep(0) alone");

    private static final String INFO_SUFFIX = "@info";

    private final Map<String, Map<String, Measurement>> rows = new LinkedHashMap<>();
    private final List<String> columns = new ArrayList<>();

    private ResultTable() {
    }

    static ResultTable of(List<Measurement> measurements) {
        ResultTable table = new ResultTable();
        for (String path : PATHS.keySet()) {
            table.rows.put(path, new LinkedHashMap<>());
            table.rows.put(path + INFO_SUFFIX, new LinkedHashMap<>());
        }
        List<String> seen = new ArrayList<>();
        for (Measurement m : measurements) {
            table.rows.computeIfAbsent(m.row(), r -> new LinkedHashMap<>()).put(m.contender(), m);
            if (!seen.contains(m.contender())) {
                seen.add(m.contender());
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
        table.rows.values().removeIf(Map::isEmpty);
        return table;
    }

    /** The rows, in order, each by its key ({@code path} or {@code path@info}). */
    List<String> rows() {
        return List.copyOf(rows.keySet());
    }

    /** The measurement of {@code contender} in {@code row}, or null. */
    Measurement get(String row, String contender) {
        Map<String, Measurement> r = rows.get(row);
        return r == null ? null : r.get(contender);
    }

    static boolean isInfoRow(String row) {
        return row.endsWith(INFO_SUFFIX);
    }

    /** The row that runs the same path with Rebound's logger off. */
    static String offRow(String row) {
        return isInfoRow(row) ? row.substring(0, row.length() - INFO_SUFFIX.length()) : row;
    }

    static String rowName(String row) {
        String path = offRow(row);
        String name = PATHS.getOrDefault(path, path);
        return isInfoRow(row) ? name + ", Rebound's logger at INFO" : name;
    }

    static String columnName(String contender) {
        return COLUMNS.getOrDefault(contender, contender);
    }

    static String cell(double nanos, double bytes) {
        return nanos(nanos) + " / " + bytes(bytes);
    }

    /** Whole bytes ({@code -prof gc} reads a few thousandths, or below zero, for a call that allocates nothing). */
    static String bytes(double bytes) {
        return Double.isNaN(bytes) ? "?" : String.format(Locale.ROOT, "%.0f", Math.abs(bytes));
    }

    /** ns with 2 significant digits below 10, whole above. */
    static String nanos(double nanos) {
        if (Double.isNaN(nanos)) {
            return "?";
        }
        return Math.abs(nanos) < 10 ? String.format(Locale.ROOT, "%.1f", nanos)
                : String.format(Locale.ROOT, "%.0f", nanos);
    }

    /**
     * The paths of the issue in one table, with the contenders they ran as columns; every other benchmark
     * (the machinery alone, async, tracing) after it, in tables of their own, rows that ran the same contenders together.
     */
    String markdown() {
        Map<List<String>, List<String>> tables = new LinkedHashMap<>();
        List<String> paths = new ArrayList<>();
        rows.keySet().stream().filter(ResultTable::isPath).forEach(paths::add);
        tables.put(columnsOf(paths), paths);
        rows.keySet().stream().filter(r -> !isPath(r))
                .forEach(r -> tables.computeIfAbsent(columnsOf(List.of(r)), c -> new ArrayList<>()).add(r));
        StringBuilder sb = new StringBuilder();
        tables.forEach((cols, inTable) -> {
            if (inTable.isEmpty()) {
                return;
            }
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append(sb.length() == 0 ? "| path (ns/op / B/op) |" : "| benchmark (ns/op / B/op) |");
            for (String c : cols) {
                sb.append(' ').append(columnName(c)).append(" |");
            }
            sb.append("\n|---|").append("---|".repeat(cols.size())).append('\n');
            for (String row : inTable) {
                sb.append("| ").append(rowName(row)).append(" |");
                for (String c : cols) {
                    Measurement m = rows.get(row).get(c);
                    sb.append(' ').append(m == null ? "-" : cell(m.nanos(), m.bytes())).append(" |");
                }
                sb.append('\n');
            }
        });
        return sb.toString();
    }

    /** Whether {@code row} is one of the paths, (a) to (e), which share the first table. */
    private static boolean isPath(String row) {
        return PATHS.containsKey(offRow(row)) && !offRow(row).equals("Floors");
    }

    /** The columns any of {@code inRows} has a measurement in, in the table's order. */
    private List<String> columnsOf(List<String> inRows) {
        List<String> cols = new ArrayList<>();
        for (String c : columns) {
            if (inRows.stream().anyMatch(r -> rows.get(r).containsKey(c))) {
                cols.add(c);
            }
        }
        return cols;
    }

    /** The line printed above the table; {@code loadBefore}: the load average at the start. */
    static String environment(long seconds, String loadBefore) {
        Runtime rt = Runtime.getRuntime();
        return String.format(Locale.ROOT, "%s, %d cores, %s %s (%s), %s; suite took %d s; load average %s at the"
                        + " start, %s at the end",
                LocalDate.now(ZoneOffset.UTC), rt.availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), System.getProperty("os.arch"),
                System.getProperty("os.name"), seconds, loadBefore, loadAverage());
    }

    /** The 1-minute load average (Linux), or "?": on a shared machine, how much the others ran. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException unavailable) {
            return "?";
        }
    }

    private static Map<String, String> ordered(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}
