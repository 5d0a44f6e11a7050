package neuroflux.pipeline.checkpoint;

import java.io.IOException;
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

    /**
     * Where a run writes a file: with the system property {@code neuroflux.test.disk-full-at=NAME:N}, the N-th
     * write at point NAME fails as a full disk does, so that a test can check what a run does when the disk fills.
     */
    public static synchronized void writing(String point) throws IOException {
        String full = System.getProperty("neuroflux.test.disk-full-at");
        if (full == null) return;
        int n = REACHED.merge("disk:" + point, 1, Integer::sum);
        if (full.equals(point + ":" + n)) throw new IOException("No space left on device");
    }

    /** Forgets the counts of {@link #writing}, so that each run in one process counts from the start. */
    public static synchronized void resetWrites() {
        REACHED.keySet().removeIf(k -> k.startsWith("disk:"));
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
