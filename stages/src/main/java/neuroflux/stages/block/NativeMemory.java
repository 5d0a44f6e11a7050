package neuroflux.stages.block;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * How the C heap treats large buffers while blocks train. glibc serves a large allocation with its own memory map
 * and unmaps it when freed, but after the first such free it raises that threshold (up to 32 MiB) and keeps
 * later buffers of that size in its heap, where freed memory stays resident and fragments. Units trained one after
 * another free and allocate activations and state every step; with a dynamic threshold the process's memory then
 * drifts upwards and measured peaks differ from run to run. A fixed threshold of {@value #MMAP_THRESHOLD_BYTES}
 * bytes makes every larger buffer a memory map of its own, returned to the kernel when freed: a block holds what
 * it uses.
 *
 * <p>The price of a map per buffer is a page fault for every 4 KiB a step touches afresh: end-to-end
 * backpropagation at batch 7 spent a third of its processor time in the kernel. glibc's tunable
 * {@value #HUGE_PAGES_TUNABLE} asks the kernel for transparent huge pages on those maps (where the system leaves
 * huge pages to {@code madvise}), a fault per 2 MiB, without changing what a block holds. It must be in the
 * environment when the process starts, so the launcher and the container image set it;
 * {@link #largeBuffersOnHugePages()} tells the reports whether this process has it.
 */
public final class NativeMemory {
    /** glibc's {@code M_MMAP_THRESHOLD} parameter of {@code mallopt}. */
    private static final int M_MMAP_THRESHOLD = -3;
    static final int MMAP_THRESHOLD_BYTES = 128 * 1024;
    /** The glibc tunable that puts large buffers on transparent huge pages (glibc 2.35 or later). */
    public static final String HUGE_PAGES_TUNABLE = "glibc.malloc.hugetlb=1";
    private static volatile Boolean fixed;

    private NativeMemory() {}

    /** Fixes glibc's memory-map threshold; false where the C library has no {@code mallopt} (not glibc). */
    public static synchronized boolean fixMmapThreshold() {
        if (fixed != null) return fixed;
        boolean ok = false;
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle mallopt = linker.defaultLookup().find("mallopt").map(f -> linker.downcallHandle(f,
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)))
                    .orElse(null);
            if (mallopt != null) ok = (int) mallopt.invokeExact(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1;
        } catch (Throwable e) {
            ok = false; // another C library or native access refused: memory is then as the library keeps it
        }
        fixed = ok;
        return ok;
    }

    /**
     * Whether this process started with {@value #HUGE_PAGES_TUNABLE} in {@code GLIBC_TUNABLES} and the kernel
     * allows transparent huge pages ({@code /sys/kernel/mm/transparent_hugepage/enabled} not {@code never}).
     */
    public static boolean largeBuffersOnHugePages() {
        return tunableSet(System.getenv("GLIBC_TUNABLES")) && !kernelMode().contains("[never]");
    }

    static boolean tunableSet(String tunables) {
        if (tunables == null) return false;
        for (String t : tunables.split(":")) if (t.trim().equals(HUGE_PAGES_TUNABLE)) return true;
        return false;
    }

    private static String kernelMode() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
        } catch (java.io.IOException | RuntimeException e) {
            return "[never]"; // no such file: no transparent huge pages (not Linux, or a kernel without them)
        }
    }
}
