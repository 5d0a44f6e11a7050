package neuroflux.pipeline.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Small SVG charts for run reports: bars with an optional reference line (memory per block against the budget,
 * parameters per exit) and lines (accuracy against wall time). Plain SVG with no scripts or fonts to load, so a
 * browser, an image viewer or a CI artifact page shows it as it is.
 */
public final class SvgChart {
    private static final int W = 720;
    private static final int H = 400;
    private static final int LEFT = 80;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 70;
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};

    /** One named series of points for a line chart. */
    public record Series(String name, double[] x, double[] y) {}

    private SvgChart() {}

    /** A bar per label; {@code reference} (NaN for none) is drawn as a dashed line named {@code referenceName}. */
    public static String bars(String title, List<String> labels, double[] values, String unit, double reference,
                              String referenceName) {
        double max = Math.max(maxOf(values), Double.isNaN(reference) ? 0 : reference) * 1.1;
        if (max <= 0) max = 1;
        StringBuilder s = header(title);
        axes(s, 0, max, unit);
        int n = values.length;
        double slot = (W - LEFT - RIGHT) / (double) Math.max(n, 1);
        for (int i = 0; i < n; i++) {
            double h = values[i] / max * (H - TOP - BOTTOM);
            double x = LEFT + i * slot + slot * 0.15;
            s.append(String.format(Locale.ROOT,
                    "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s'><title>%s: %s</title></rect>%n",
                    x, H - BOTTOM - h, slot * 0.7, h, COLORS[0], esc(labels.get(i)), fmt(values[i])));
            s.append(String.format(Locale.ROOT,
                    "<text x='%.1f' y='%d' font-size='11' text-anchor='middle'>%s</text>%n",
                    x + slot * 0.35, H - BOTTOM + 16, esc(labels.get(i))));
        }
        if (!Double.isNaN(reference)) {
            double y = H - BOTTOM - reference / max * (H - TOP - BOTTOM);
            s.append(String.format(Locale.ROOT,
                    "<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='%s' stroke-dasharray='6,4' stroke-width='2'/>%n",
                    LEFT, W - RIGHT, y, y, COLORS[1]));
            s.append(String.format(Locale.ROOT, "<text x='%d' y='%.1f' font-size='12' text-anchor='end' fill='%s'>%s</text>%n",
                    W - RIGHT, y - 5, COLORS[1], esc(referenceName + " " + fmt(reference))));
        }
        return s.append("</svg>\n").toString();
    }

    /** Lines through each series' points, with a legend. */
    public static String lines(String title, List<Series> series, String xLabel, String yLabel) {
        double xMax = 0;
        double yMin = Double.MAX_VALUE;
        double yMax = -Double.MAX_VALUE;
        for (Series se : series) {
            xMax = Math.max(xMax, maxOf(se.x()));
            for (double v : se.y()) {
                yMin = Math.min(yMin, v);
                yMax = Math.max(yMax, v);
            }
        }
        if (xMax <= 0) xMax = 1;
        if (yMin > yMax) {
            yMin = 0;
            yMax = 1;
        }
        double pad = Math.max((yMax - yMin) * 0.1, 1e-3);
        yMin -= pad;
        yMax += pad;
        StringBuilder s = header(title);
        axes(s, yMin, yMax, yLabel);
        s.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='12' text-anchor='middle'>%s (max %s)</text>%n",
                (LEFT + W - RIGHT) / 2, H - 20, esc(xLabel), fmt(xMax)));
        for (int k = 0; k < series.size(); k++) {
            Series se = series.get(k);
            List<String> pts = new ArrayList<>();
            for (int i = 0; i < se.x().length; i++) {
                double x = LEFT + se.x()[i] / xMax * (W - LEFT - RIGHT);
                double y = H - BOTTOM - (se.y()[i] - yMin) / (yMax - yMin) * (H - TOP - BOTTOM);
                pts.add(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
            }
            String color = COLORS[k % COLORS.length];
            s.append(String.format("<polyline fill='none' stroke='%s' stroke-width='2' points='%s'/>%n", color,
                    String.join(" ", pts)));
            for (String p : pts) {
                String[] xy = p.split(",");
                s.append(String.format("<circle cx='%s' cy='%s' r='3' fill='%s'/>%n", xy[0], xy[1], color));
            }
            s.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='12' fill='%s'>%s</text>%n",
                    LEFT + 10, TOP + 16 + 16 * k, color, esc(se.name())));
        }
        return s.append("</svg>\n").toString();
    }

    private static StringBuilder header(String title) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' viewBox='0 0 %d %d' "
                + "font-family='sans-serif'>%n", W, H, W, H));
        s.append("<rect width='100%' height='100%' fill='white'/>\n");
        s.append(String.format("<text x='%d' y='24' font-size='15' text-anchor='middle'>%s</text>%n", W / 2, esc(title)));
        return s;
    }

    private static void axes(StringBuilder s, double min, double max, String unit) {
        s.append(String.format("<line x1='%d' x2='%d' y1='%d' y2='%d' stroke='black'/>%n", LEFT, LEFT, TOP, H - BOTTOM));
        s.append(String.format("<line x1='%d' x2='%d' y1='%d' y2='%d' stroke='black'/>%n", LEFT, W - RIGHT, H - BOTTOM,
                H - BOTTOM));
        for (int i = 0; i <= 4; i++) {
            double v = min + (max - min) * i / 4;
            int y = H - BOTTOM - (H - TOP - BOTTOM) * i / 4;
            s.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='11' text-anchor='end'>%s</text>%n",
                    LEFT - 6, y + 4, fmt(v)));
            s.append(String.format("<line x1='%d' x2='%d' y1='%d' y2='%d' stroke='#ddd'/>%n", LEFT, W - RIGHT, y, y));
        }
        s.append(String.format("<text x='16' y='%d' font-size='12' transform='rotate(-90 16 %d)' text-anchor='middle'>%s</text>%n",
                (TOP + H - BOTTOM) / 2, (TOP + H - BOTTOM) / 2, esc(unit)));
    }

    private static double maxOf(double[] v) {
        double m = 0;
        for (double d : v) m = Math.max(m, d);
        return m;
    }

    static String fmt(double v) {
        double a = Math.abs(v);
        if (a >= 1e9) return String.format(Locale.ROOT, "%.2fG", v / 1e9);
        if (a >= 1e6) return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        if (a >= 1e4) return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        if (a >= 100) return String.format(Locale.ROOT, "%.0f", v);
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;");
    }
}
