package dev.rebound.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The run's overhead per path and contender as an SVG bar chart, written with the JDK alone: a panel
 * per path, a bar per contender, its length the contender's time over the path's reference (the
 * direct call or the hand-written loop) on a logarithmic scale, its figure printed beside it.
 * Rebound's doors are blue (pale with the logger at INFO), the peers orange.
 */
final class Chart {

    private static final int WIDTH = 980;
    private static final int LABEL = 270;
    private static final int BARS = 600;
    private static final int BAR = 14;
    private static final int GAP = 4;
    private static final int TITLE = 26;
    private static final int AXIS = 22;
    private static final int LINE = 160;
    private static final double FLOOR_NANOS = 0.1;

    private static final String REBOUND = "#1f5fa8";
    private static final String REBOUND_INFO = "#9cc3ea";
    private static final String PEER = "#e07b24";
    private static final String OTHER = "#8a8a8a";

    private record Bar(String label, double nanos, String colour) {
    }

    private record Panel(String title, String reference, List<Bar> bars) {
    }

    private Chart() {
    }

    /** Writes the chart of {@code table} to {@code file}, creating its directory. */
    static void write(ResultTable table, List<String> subtitle, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Files.writeString(file, svg(table, subtitle));
    }

    static String svg(ResultTable table, List<String> subtitle) {
        Targets targets = new Targets(table);
        List<Panel> panels = new ArrayList<>();
        double max = 10;
        for (String row : table.rows()) {
            if (ResultTable.isInfoRow(row)) {
                continue;
            }
            Measurement ref = targets.reference(row);
            if (ref == null) {
                continue;
            }
            List<Bar> bars = new ArrayList<>();
            for (String contender : ResultTable.COLUMNS.keySet()) {
                if (Targets.REFERENCES.contains(contender)) {
                    continue;
                }
                Measurement m = table.get(row, contender);
                Measurement info = table.get(row + "@info", contender);
                if (m != null) {
                    bars.add(new Bar(ResultTable.columnName(contender), m.nanos() - ref.nanos(),
                            colour(contender)));
                }
                if (info != null) {
                    bars.add(new Bar(ResultTable.columnName(contender) + ", logger at INFO",
                            info.nanos() - ref.nanos(), contender.startsWith("rebound") ? REBOUND_INFO : OTHER));
                }
            }
            if (bars.isEmpty()) {
                continue;
            }
            for (Bar b : bars) {
                max = Math.max(max, b.nanos());
            }
            panels.add(new Panel(ResultTable.rowName(row), ResultTable.columnName(ref.contender()) + " "
                    + ResultTable.nanos(ref.nanos()) + " ns", bars));
        }
        double top = Math.pow(10, Math.ceil(Math.log10(max)));
        List<String> lines = wrap(subtitle);
        int header = 34 + 15 * lines.size();
        int height = header + 10;
        for (Panel p : panels) {
            height += TITLE + p.bars().size() * (BAR + GAP) + AXIS;
        }
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, height, WIDTH,
                height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
        svg.append(text(10, 20, "Overhead over the reference, ns per call (log scale): Rebound blue, peers orange",
                "font-size=\"15\" font-weight=\"bold\""));
        for (int i = 0; i < lines.size(); i++) {
            svg.append(text(10, 38 + 15 * i, lines.get(i), "fill=\"#555\" font-size=\"11\""));
        }
        int y = header;
        for (Panel p : panels) {
            svg.append(text(10, y + 16, p.title() + " (reference: " + p.reference() + ")", "font-weight=\"bold\""));
            int barsTop = y + TITLE;
            int barsBottom = barsTop + p.bars().size() * (BAR + GAP);
            for (double tick = 1; tick <= top; tick *= 10) {
                double x = LABEL + scale(tick, top);
                svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\""
                        + " stroke=\"#ddd\"/>%n", x, barsTop - 2, x, barsBottom));
                svg.append(text(x, barsBottom + 11, tick(tick), "fill=\"#888\" font-size=\"10\""
                        + " text-anchor=\"middle\""));
            }
            int by = barsTop;
            for (Bar b : p.bars()) {
                double w = Math.max(1, scale(Math.max(b.nanos(), FLOOR_NANOS), top));
                svg.append(text(LABEL - 6, by + BAR - 3, b.label(), "text-anchor=\"end\""));
                svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\""
                        + " fill=\"%s\"/>%n", LABEL, by, w, BAR, b.colour()));
                svg.append(text(LABEL + w + 4, by + BAR - 3, (b.nanos() >= 0 ? "+" : "-")
                        + duration(Math.abs(b.nanos())), "fill=\"#333\""));
                by += BAR + GAP;
            }
            y = barsBottom + AXIS;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static String colour(String contender) {
        if (contender.startsWith("rebound")) {
            return REBOUND;
        }
        return Targets.PEERS.contains(contender) ? PEER : OTHER;
    }

    /** x of {@code nanos} on the log scale from {@link #FLOOR_NANOS} to {@code top}. */
    private static double scale(double nanos, double top) {
        return BARS * Math.log10(nanos / FLOOR_NANOS) / Math.log10(top / FLOOR_NANOS);
    }

    /** A power of ten of nanoseconds: 1 ns, 10 ns, 100 ns, 1 µs... */
    private static String tick(double nanos) {
        String[] units = {"ns", "µs", "ms", "s"};
        int unit = 0;
        while (nanos >= 1000 && unit < units.length - 1) {
            nanos /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.0f %s", nanos, units[unit]);
    }

    /** {@code nanos} in ns, µs or ms, with at least 2 significant digits. */
    static String duration(double nanos) {
        if (nanos >= 1_000_000) {
            return ResultTable.nanos(nanos / 1_000_000) + " ms";
        }
        if (nanos >= 10_000) {
            return ResultTable.nanos(nanos / 1000) + " µs";
        }
        return ResultTable.nanos(nanos) + " ns";
    }

    /** The subtitle's lines, each cut at "; " or ", " to fit the chart's width. */
    private static List<String> wrap(List<String> subtitle) {
        List<String> lines = new ArrayList<>();
        for (String s : subtitle) {
            String rest = s;
            while (rest.length() > LINE) {
                int cut = Math.max(rest.lastIndexOf("; ", LINE), rest.lastIndexOf(", ", LINE));
                if (cut <= 0) {
                    break;
                }
                lines.add(rest.substring(0, cut + 1));
                rest = rest.substring(cut + 2);
            }
            lines.add(rest);
        }
        return lines;
    }

    private static String text(double x, double y, String s, String attributes) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" %s>%s</text>%n", x, y, attributes, escape(s));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
