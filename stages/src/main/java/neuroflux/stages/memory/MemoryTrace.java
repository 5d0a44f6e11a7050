package neuroflux.stages.memory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A timeline of the process's resident memory, for finding where a measured peak comes from: with the environment
 * variable {@code NEUROFLUX_MEMORY_TRACE} set to a file, a daemon thread appends one line every
 * {@value #PERIOD_MILLIS} ms: milliseconds since start, {@code VmRSS}, {@code RssAnon} and {@code RssFile} in KiB,
 * and the phase the run last announced ({@link #phase}). Off (and free) where the variable is not set; a trace that
 * cannot be written stops itself and never stops the run. Linux only.
 */
public final class MemoryTrace {
    static final long PERIOD_MILLIS = 50;
    private static final Path STATUS = Path.of("/proc/self/status");
    private static volatile String phase = "start";
    private static volatile boolean started;

    private MemoryTrace() {}

    /** Names what the run does from now on; the trace's next lines carry it. */
    public static void phase(String name) {
        phase = name;
        if (!started) start();
    }

    private static synchronized void start() {
        if (started) return;
        started = true;
        String target = System.getenv("NEUROFLUX_MEMORY_TRACE");
        if (target == null || target.isBlank() || !Files.isReadable(STATUS)) return;
        Thread t = new Thread(() -> record(Path.of(target)), "memory-trace");
        t.setDaemon(true);
        t.start();
    }

    private static void record(Path target) {
        long start = System.nanoTime();
        try (BufferedWriter w = Files.newBufferedWriter(target)) {
            w.write("ms\tvm_rss_kib\trss_anon_kib\trss_file_kib\tphase\n");
            while (true) {
                List<String> status = Files.readAllLines(STATUS);
                w.write(String.format(Locale.ROOT, "%d\t%d\t%d\t%d\t%s%n", (System.nanoTime() - start) / 1_000_000,
                        MemoryProbe.field(status, "VmRSS"), MemoryProbe.field(status, "RssAnon"),
                        MemoryProbe.field(status, "RssFile"), phase));
                w.flush();
                Thread.sleep(PERIOD_MILLIS);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // a diagnostic only: the run goes on without it
        }
    }
}
