package neuroflux.onnx;

/**
 * A mistake in what a user gave neuroflux: a broken or unsupported model, a missing file, a malformed option.
 * The command line reports its message in one line and exits with status 2; it is never a bug of neuroflux.
 * A subclass for a more specific mistake (a budget that cannot be met) may override {@link #exitStatus()}.
 *
 * <p>Messages quote names from the user's files, and a hostile file can name a node with line breaks, terminal
 * escapes or a megabyte of text. So the message is made one printable line of bounded length here, once, rather
 * than at every place that quotes a name.
 */
public class BadInputException extends RuntimeException implements ExitStatus {
    /** Longer messages keep their start and end; the middle of a runaway name is not worth a screenful. */
    static final int MAX_LENGTH = 2000;

    public BadInputException(String message) {
        super(oneLine(message));
    }

    public BadInputException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** The message with control characters shown as escapes and its middle elided beyond {@link #MAX_LENGTH}. */
    static String oneLine(String message) {
        if (message == null) return "(no details)";
        StringBuilder b = new StringBuilder(Math.min(message.length(), MAX_LENGTH + 16));
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c == '\n') b.append("\\n");
            else if (c == '\r') b.append("\\r");
            else if (c == '\t') b.append(' ');
            else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') b.append(escape(c));
            else b.append(c);
        }
        if (b.length() <= MAX_LENGTH) return b.toString();
        int keep = MAX_LENGTH / 2;
        // an elision inside a surrogate pair would leave half a character at either end; step past it
        int end = b.length() - keep;
        if (Character.isHighSurrogate(b.charAt(keep - 1))) keep--;
        if (Character.isLowSurrogate(b.charAt(end))) end++;
        return b.substring(0, keep) + " … " + b.substring(end);
    }

    private static String escape(char c) {
        return String.format("\\u%04x", (int) c);
    }

    @Override
    public int exitStatus() {
        return BAD_INPUT;
    }
}
