package dev.rebound.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Issue 16's targets, each read from one run: Rebound's overhead over the reference (the direct
 * call on the happy paths, the hand-written loop on the failure paths) as a ratio of the fastest
 * peer's, at most 1/3 for every door on every path; 0 B/op in Rebound's own code for the woven door
 * and {@code Rebound.wrap} (its generated class, all of it; the JDK proxy's row, not judged, less the
 * proxy's own allocation, measured alone); the woven happy path within 3 ns of the direct call; a woven class's unannotated method within the run's
 * error of the unwoven one (their 99.9% confidence intervals overlap).
 */
final class Targets {

    static final List<String> DOORS = List.of("reboundWoven", "reboundGuice", "reboundWrap");
    static final List<String> PEERS = List.of("resilience4j", "failsafe", "springRetry", "smallRye");
    static final List<String> REFERENCES = List.of("direct", "handLoop");

    static final double MAX_RATIO = 1.0 / 3;
    static final double WOVEN_HAPPY_MAX_NANOS = 3.0;
    /** {@code gc.alloc.rate.norm} of a call that allocates nothing reads a few thousandths of a byte. */
    static final double NO_BYTES = 0.5;

    private final ResultTable table;
    private int met;
    private int missed;

    Targets(ResultTable table) {
        this.table = table;
    }

    /** The reference of {@code row}: its path's direct call, else its hand loop; null if neither ran. */
    Measurement reference(String row) {
        for (String r : REFERENCES) {
            Measurement m = table.get(ResultTable.offRow(row), r);
            if (m != null) {
                return m;
            }
        }
        return null;
    }

    /** The peer with the least time on {@code row}'s path (logger off: the peers never log); or null. */
    Measurement fastestPeer(String row) {
        Measurement best = null;
        for (String p : PEERS) {
            Measurement m = table.get(ResultTable.offRow(row), p);
            if (m != null && (best == null || m.nanos() < best.nanos())) {
                best = m;
            }
        }
        return best;
    }

    String markdown() {
        met = 0;
        missed = 0;
        StringBuilder sb = new StringBuilder();
        if (!comparedPaths().isEmpty()) {
            ratios(sb);
            sb.append('\n');
            bytes(sb);
            sb.append('\n');
        }
        wovenHappyPath(sb);
        unannotatedMethod(sb);
        sb.append('\n').append(String.format(Locale.ROOT, "Targets met: %d of %d.%n", met, met + missed));
        return sb.toString();
    }

    private void ratios(StringBuilder sb) {
        sb.append(String.format(Locale.ROOT, "Overhead over the reference, as a ratio of the fastest peer's"
                + " (target: at most %.2f; the INFO rows are shown, not judged):%n%n", MAX_RATIO));
        sb.append("| path | reference | fastest peer |");
        DOORS.forEach(d -> sb.append(' ').append(ResultTable.columnName(d)).append(" |"));
        sb.append("\n|---|---|---|").append("---|".repeat(DOORS.size())).append('\n');
        for (String row : table.rows()) {
            Measurement ref = reference(row);
            Measurement peer = fastestPeer(row);
            if (ref == null || peer == null) {
                continue;
            }
            double peerOverhead = peer.nanos() - ref.nanos();
            sb.append("| ").append(ResultTable.rowName(row)).append(" | ")
                    .append(ResultTable.columnName(ref.contender())).append(' ')
                    .append(ResultTable.nanos(ref.nanos())).append(" ns | ")
                    .append(ResultTable.columnName(peer.contender())).append(' ')
                    .append(signed(peerOverhead)).append(" ns |");
            for (String door : DOORS) {
                Measurement m = table.get(row, door);
                if (m == null) {
                    sb.append(" - |");
                    continue;
                }
                double overhead = m.nanos() - ref.nanos();
                sb.append(' ').append(signed(overhead)).append(" ns: ");
                if (peerOverhead <= 0) {
                    sb.append("no ratio (the peer is not above the reference) |");
                    continue;
                }
                double ratio = overhead / peerOverhead;
                sb.append(String.format(Locale.ROOT, "%.2f", ratio));
                if (!ResultTable.isInfoRow(row)) {
                    sb.append(verdict(ratio <= MAX_RATIO));
                }
                sb.append(" |");
            }
            sb.append('\n');
        }
    }

    private void bytes(StringBuilder sb) {
        double proxy = floorBytes("jdkProxyAlone");
        double closure = floorBytes("ajcClosureAlone");
        double guice = floorBytes("guiceInterceptorAlone");
        sb.append("B/op in Rebound's own code (target: 0 for the woven door and Rebound.wrap):\n\n");
        List<String> paths = comparedPaths();
        sb.append("| door |");
        paths.forEach(p -> sb.append(' ').append(ResultTable.rowName(p)).append(" |"));
        sb.append(" met? |\n|---|").append("---|".repeat(paths.size() + 1)).append('\n');
        // the woven door retries without a closure: ajc builds one only for the recovery advice, which hands
        // the call to the engine, here for the fallback (c)
        ownBytes(sb, String.format(Locale.ROOT, "Rebound woven, less AspectJ's closure on (c) (%s B: the closure"
                + " ajc builds for the recovery advice, which gives the fallback the call's arguments, and its state"
                + " array, measured alone)", ResultTable.bytes(closure)), "reboundWoven", paths,
                p -> "FallbackAnswers".equals(p) ? closure : 0, true);
        ownBytes(sb, "Rebound.wrap (its generated class), all of it", "reboundWrap", paths, p -> 0, true);
        if (table.get("HappyPath", "reboundWrapProxy") != null) {
            ownBytes(sb, String.format(Locale.ROOT, "Rebound.wrap through its JDK proxy (not a target: without the"
                    + " generated class), less the proxy's %s B per call (its argument array, measured alone)",
                    ResultTable.bytes(proxy)), "reboundWrapProxy", paths, p -> proxy, false);
        }
        ownBytes(sb, String.format(Locale.ROOT, "Rebound Guice, all of it (not a target: Guice's own objects,"
                + " %s B per call with an interceptor that only proceeds and more per failed attempt, are Guice's)",
                ResultTable.bytes(guice)), "reboundGuice", paths, p -> 0, false);
    }

    /** B/op of one of the machinery-alone benchmarks, or NaN if it did not run. */
    private double floorBytes(String floor) {
        Measurement m = table.get("Floors", floor);
        return m == null ? Double.NaN : m.bytes();
    }

    /** The rows with a reference and a peer, logger off. */
    private List<String> comparedPaths() {
        List<String> paths = new ArrayList<>();
        for (String row : table.rows()) {
            if (!ResultTable.isInfoRow(row) && reference(row) != null && fastestPeer(row) != null) {
                paths.add(row);
            }
        }
        return paths;
    }

    /** One door's B/op on each path less what its machinery allocates there ({@code floorOf} the path's row). */
    private void ownBytes(StringBuilder sb, String label, String door, List<String> paths,
            ToDoubleFunction<String> floorOf, boolean judged) {
        sb.append("| ").append(label).append(" |");
        boolean allZero = true;
        for (String p : paths) {
            Measurement m = table.get(p, door);
            double floor = floorOf.applyAsDouble(p);
            if (m == null || Double.isNaN(m.bytes()) || Double.isNaN(floor)) {
                sb.append(" ? |");
                allZero = false;
                continue;
            }
            double own = Math.max(0, m.bytes() - floor);
            allZero &= own < NO_BYTES;
            sb.append(' ').append(ResultTable.bytes(own)).append(" |");
        }
        sb.append(judged ? verdict(allZero) : " -").append(" |\n");
    }

    private void wovenHappyPath(StringBuilder sb) {
        Measurement direct = table.get("HappyPath", "direct");
        Measurement woven = table.get("HappyPath", "reboundWoven");
        if (direct == null || woven == null) {
            return;
        }
        double gap = woven.nanos() - direct.nanos();
        sb.append(String.format(Locale.ROOT, "Woven happy path within %.0f ns of the direct call: %s ± %s ns"
                        + " against %s ± %s ns, %s ns:%s%n",
                WOVEN_HAPPY_MAX_NANOS, ResultTable.nanos(woven.nanos()), ResultTable.nanos(woven.error()),
                ResultTable.nanos(direct.nanos()), ResultTable.nanos(direct.error()), signed(gap),
                verdict(gap <= WOVEN_HAPPY_MAX_NANOS)));
    }

    private void unannotatedMethod(StringBuilder sb) {
        Measurement unwoven = table.get("UnannotatedMethod", "direct");
        Measurement woven = table.get("UnannotatedMethod", "reboundWoven");
        if (unwoven == null || woven == null) {
            return;
        }
        double gap = woven.nanos() - unwoven.nanos();
        double error = woven.error() + unwoven.error();
        sb.append(String.format(Locale.ROOT, "%nA woven class's unannotated method within the run's error of the"
                        + " unwoven one: %s ± %s ns against %s ± %s ns, %s ns, the errors add up to %s ns:%s%n",
                ResultTable.nanos(woven.nanos()), ResultTable.nanos(woven.error()), ResultTable.nanos(unwoven.nanos()),
                ResultTable.nanos(unwoven.error()), signed(gap), ResultTable.nanos(error),
                verdict(Math.abs(gap) <= error)));
    }

    private String verdict(boolean ok) {
        if (ok) {
            met++;
            return " yes";
        }
        missed++;
        return " **no**";
    }

    private static String signed(double nanos) {
        return (nanos >= 0 ? "+" : "") + ResultTable.nanos(nanos);
    }
}
