package neuroflux.stages.memory;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;

/**
 * The Java heap as far as it matters to a host memory measurement. Heap pages the JVM commits or first touches
 * while the measured work runs raise the process's resident memory as much as the work's native buffers do; a heap
 * is pinned when it cannot: all of it committed from the start ({@code -Xms} equal to {@code -Xmx}) and every page
 * touched at start-up ({@code -XX:+AlwaysPreTouch}).
 *
 * @param committedBytes heap memory committed now
 * @param maxBytes the heap's maximum ({@code -Xmx}), or -1 where it has none
 * @param preTouched whether the JVM runs with {@code -XX:+AlwaysPreTouch}
 */
public record HeapState(long committedBytes, long maxBytes, boolean preTouched) {
    public static HeapState current() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new HeapState(heap.getCommitted(), heap.getMax(), alwaysPreTouch());
    }

    private static boolean alwaysPreTouch() {
        return VmOptions.value("AlwaysPreTouch").map(Boolean::parseBoolean).orElse(false);
    }

    /** Whether the heap is fully committed and touched, so that it cannot grow into a measurement. */
    public boolean pinned() {
        return preTouched && maxBytes > 0 && committedBytes >= maxBytes;
    }

    /** Why the heap is not pinned, as advice for a user, or empty where it is. */
    public String advice() {
        if (pinned()) return "";
        return "the Java heap was not fully committed and pre-touched (committed " + Budget.format(committedBytes)
                + " of " + (maxBytes > 0 ? Budget.format(maxBytes) : "no maximum")
                + (preTouched ? "" : ", no -XX:+AlwaysPreTouch")
                + "), so heap growth during the work may be counted: run Java with -Xms equal to -Xmx and"
                + " -XX:+AlwaysPreTouch";
    }
}
