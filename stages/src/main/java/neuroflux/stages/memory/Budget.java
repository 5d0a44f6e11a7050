package neuroflux.stages.memory;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import neuroflux.onnx.BadInputException;

/**
 * A memory budget in bytes, read from the sizes a user types.
 *
 * <p>Units: binary {@code KiB MiB GiB TiB} are powers of 1024, and so are the short forms {@code K M G T} (as in
 * {@code -Xmx2G}); decimal {@code kB MB GB TB} are powers of 1000 (as disk makers use them); {@code B} or no unit is
 * plain bytes. Units are matched without regard to case ({@code mb} is 1000², {@code mib} 1024²); a space between
 * number and unit is allowed. A size with a fraction is rounded down to whole bytes. Zero, negative, not-a-number
 * and unknown units are refused.
 */
public record Budget(long bytes) {
    private static final Pattern FORM = Pattern.compile("([0-9]+(?:\\.[0-9]+)?|\\.[0-9]+)\\s*([A-Za-z]*)");
    private static final String FORMS = "use a positive number of bytes with an optional unit: binary KiB, MiB, GiB,"
            + " TiB (also K, M, G, T: powers of 1024) or decimal kB, MB, GB, TB (powers of 1000),"
            + " e.g. 512KiB, 64MiB, 1.5GB, 2G, 1048576";
    private static final String[] BINARY_UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    public Budget {
        if (bytes <= 0) throw new IllegalArgumentException("a budget is a positive number of bytes, not " + bytes);
    }

    /** Reads a size such as {@code 64MiB}; a malformed one is a {@link BadInputException} naming the forms. */
    public static Budget parse(String text) {
        String s = text == null ? "" : text.trim();
        Matcher m = FORM.matcher(s);
        if (!m.matches()) throw new BadInputException("memory size '" + s + "' is not understood: " + FORMS);
        long multiplier = multiplier(m.group(2));
        if (multiplier == 0) {
            throw new BadInputException("memory size '" + s + "' has an unknown unit '" + m.group(2) + "': " + FORMS);
        }
        BigDecimal exact = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(multiplier));
        BigDecimal whole = exact.setScale(0, RoundingMode.FLOOR);
        if (whole.signum() <= 0) throw new BadInputException("memory size '" + s + "' is not positive: " + FORMS);
        if (whole.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new BadInputException("memory size '" + s + "' is too large: " + FORMS);
        }
        return new Budget(whole.longValueExact());
    }

    /** Bytes per unit, or 0 for a unit not known. */
    private static long multiplier(String unit) {
        return switch (unit.toLowerCase(Locale.ROOT)) {
            case "", "b" -> 1L;
            case "k", "kib" -> 1L << 10;
            case "m", "mib" -> 1L << 20;
            case "g", "gib" -> 1L << 30;
            case "t", "tib" -> 1L << 40;
            case "kb" -> 1_000L;
            case "mb" -> 1_000_000L;
            case "gb" -> 1_000_000_000L;
            case "tb" -> 1_000_000_000_000L;
            default -> 0L;
        };
    }

    /**
     * A size for people, in the largest binary unit it reaches, with one decimal where it is not whole:
     * {@code 512 B}, {@code 1.5 KiB}, {@code 63.5 MiB}. Negative sizes (differences) keep their sign.
     */
    public static String format(long bytes) {
        if (bytes == Long.MIN_VALUE) return bytes + " B";
        long magnitude = Math.abs(bytes);
        int unit = 0;
        while (unit + 1 < BINARY_UNITS.length && magnitude >= 1L << (10 * (unit + 1))) unit++;
        if (unit == 0) return bytes + " B";
        double value = bytes / (double) (1L << (10 * unit));
        String number = String.format(Locale.ROOT, "%.1f", value);
        if (number.endsWith(".0")) number = number.substring(0, number.length() - 2);
        return number + " " + BINARY_UNITS[unit];
    }

    @Override
    public String toString() {
        return format(bytes);
    }
}
