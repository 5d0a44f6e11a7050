package neuroflux.stages.memory;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The C library's heap. glibc keeps memory that was freed for later {@code malloc}s; memory reused that way is
 * already resident and would not show in a measurement, so the probe hands it back to the kernel first.
 */
public final class NativeHeap {
    private static final MethodHandle MALLOC_TRIM = lookUpMallocTrim();

    private NativeHeap() {}

    private static MethodHandle lookUpMallocTrim() {
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("malloc_trim")
                    .map(f -> linker.downcallHandle(f, FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG)))
                    .orElse(null);
        } catch (RuntimeException | LinkageError e) {
            return null; // another C library, or native access not allowed: the probe notes it
        }
    }

    /** Returns free C heap memory to the kernel; false where this C library has no {@code malloc_trim}. */
    public static boolean trim() {
        if (MALLOC_TRIM == null) return false;
        try {
            int released = (int) MALLOC_TRIM.invokeExact(0L);
            return released >= 0;
        } catch (Throwable t) {
            return false;
        }
    }
}
