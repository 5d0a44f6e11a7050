package neuroflux.onnx;

/**
 * A mistake in what a user gave neuroflux: a broken or unsupported model, a missing file, a malformed option.
 * The command line reports its message in one line and exits with status 2; it is never a bug of neuroflux.
 * A subclass for a more specific mistake (a budget that cannot be met) may override {@link #exitStatus()}.
 */
public class BadInputException extends RuntimeException implements ExitStatus {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public int exitStatus() {
        return BAD_INPUT;
    }
}
