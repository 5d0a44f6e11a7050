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
 */
public final class NativeMemory {
    /** glibc's {@code M_MMAP_THRESHOLD} parameter of {@code mallopt}. */
    private static final int M_MMAP_THRESHOLD = -3;
    static final int MMAP_THRESHOLD_BYTES = 128 * 1024;
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
}
