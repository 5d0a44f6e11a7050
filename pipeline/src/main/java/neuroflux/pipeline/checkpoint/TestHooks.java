package neuroflux.pipeline.checkpoint;

import java.util.HashMap;
import java.util.Map;

/**
 * Points where a test can stop a run to kill it there: with {@code NEUROFLUX_TEST_HALT_AT=NAME:N} in the
 * environment (or the system property {@code neuroflux.test.halt-at}), the N-th time the run reaches point NAME it
 * prints {@code HALTED NAME} to standard error and waits forever, so that a SIGKILL lands at that point and no
 * other. Without the setting a point costs one map lookup.
 */
public final class TestHooks {
    private static final String SETTING = setting();
    private static final Map<String, Integer> REACHED = new HashMap<>();

    private TestHooks() {}

    private static String setting() {
        String p = System.getProperty("neuroflux.test.halt-at");
        return p != null ? p : System.getenv("NEUROFLUX_TEST_HALT_AT");
    }

    /** Called at a named point of the run; halts there when the setting names this point and occurrence. */
    public static synchronized void reached(String point) {
        if (SETTING == null) return;
        int n = REACHED.merge(point, 1, Integer::sum);
        if (!SETTING.equals(point + ":" + n)) return;
        System.err.println("HALTED " + point);
        System.err.flush();
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
