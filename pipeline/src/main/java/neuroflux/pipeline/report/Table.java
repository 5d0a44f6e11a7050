package neuroflux.pipeline.report;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table: a header row and rows, columns padded to their widest cell; text left, numbers right. */
public final class Table {
    private final List<String[]> rows = new ArrayList<>();
    private final boolean[] rightAligned;

    public Table(String... header) {
        rows.add(header);
        rightAligned = new boolean[header.length];
    }

    /** Right-aligns the given columns (numbers). */
    public Table right(int... columns) {
        for (int c : columns) rightAligned[c] = true;
        return this;
    }

    public Table row(Object... cells) {
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) r[i] = String.valueOf(cells[i]);
        rows.add(r);
        return this;
    }

    public void print(PrintStream out) {
        int[] width = new int[rows.getFirst().length];
        for (String[] r : rows) for (int i = 0; i < r.length; i++) width[i] = Math.max(width[i], r[i].length());
        for (String[] r : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                if (i > 0) b.append("  ");
                String pad = " ".repeat(width[i] - r[i].length());
                b.append(rightAligned[i] ? pad + r[i] : r[i] + pad);
            }
            out.println(b.toString().stripTrailing());
        }
    }
}
