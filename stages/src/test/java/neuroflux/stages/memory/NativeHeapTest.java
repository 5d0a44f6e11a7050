package neuroflux.stages.memory;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The probe trims the C heap before every measurement so that memory freed earlier and reused is counted: trimming
 * must return freed heap memory, which {@code free} alone keeps.
 */
class NativeHeapTest {
    private static final Path STATUS = Path.of("/proc/self/status");

    /** RssAnon in bytes. */
    private static long anonymousResident() throws Exception {
        for (String line : Files.readAllLines(STATUS)) {
            if (line.startsWith("RssAnon:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
        throw new IllegalStateException("no RssAnon in " + STATUS);
    }

    @Test
    void trimReturnsFreedHeapMemoryThatFreeKeeps() throws Throwable {
        assumeTrue(Files.isReadable(STATUS), "Linux only");
        assumeTrue(neuroflux.stages.block.NativeMemory.fixMmapThreshold(), "glibc only");
        Linker linker = Linker.nativeLinker();
        MethodHandle malloc = linker.downcallHandle(linker.defaultLookup().find("malloc").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        MethodHandle free = linker.downcallHandle(linker.defaultLookup().find("free").orElseThrow(),
                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
        // 64 MiB in 64 KiB pieces, below the 128 KiB map threshold: served from the heap and touched; every piece
        // but the last freed, so the heap's top stays in use and only trimming its inside can return the rest
        int pieces = 1024;
        long size = 64 * 1024;
        MemorySegment[] blocks = new MemorySegment[pieces];
        for (int i = 0; i < pieces; i++) {
            blocks[i] = ((MemorySegment) malloc.invokeExact(size)).reinterpret(size);
            blocks[i].fill((byte) 1);
        }
        for (int i = 0; i < pieces - 1; i++) free.invokeExact(blocks[i]);
        long before = anonymousResident();
        assertTrue(NativeHeap.trim(), "malloc_trim is there on glibc");
        long after = anonymousResident();
        free.invokeExact(blocks[pieces - 1]);
        assertTrue(before - after > 32L << 20, "trim returned " + ((before - after) >> 20) + " MiB of the 64 MiB freed");
    }
}
