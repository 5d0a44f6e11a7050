package neuroflux.pipeline;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * How much neuroflux logs. Quiet by default: the packaged application.properties keeps Quarkus at WARN and
 * neuroflux's own diagnostics at INFO; {@code --verbose} (or {@code neuroflux.verbose=true}) lowers the
 * {@code neuroflux} category to DEBUG. Levels are set through java.util.logging, which Quarkus's JBoss LogManager
 * implements, so the same call works with and without Quarkus.
 */
final class Verbosity {
    /** Held so that the level set on it is not lost when an unreferenced JUL logger is collected. */
    private static final Logger NEUROFLUX = Logger.getLogger("neuroflux");

    private Verbosity() {}

    static void verbose() {
        NEUROFLUX.setLevel(Level.FINE);
    }

    static boolean isVerbose() {
        return NEUROFLUX.isLoggable(Level.FINE);
    }
}
