package neuroflux.onnx;

/**
 * A mistake in what a user gave neuroflux: a broken or unsupported model, a missing file, a malformed option.
 * The command line reports its message in one line and exits with status 2; it is never a bug of neuroflux.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
