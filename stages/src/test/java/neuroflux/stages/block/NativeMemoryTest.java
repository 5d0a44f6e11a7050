package neuroflux.stages.block;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NativeMemoryTest {
    @Test
    void theHugePageTunableIsFoundAmongOthers() {
        assertTrue(NativeMemory.tunableSet("glibc.malloc.hugetlb=1"));
        assertTrue(NativeMemory.tunableSet("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"));
    }

    @Test
    void anotherValueOrNoTunableIsNotTheHugePageSetting() {
        assertFalse(NativeMemory.tunableSet(null));
        assertFalse(NativeMemory.tunableSet(""));
        assertFalse(NativeMemory.tunableSet("glibc.malloc.hugetlb=0"));
        assertFalse(NativeMemory.tunableSet("glibc.malloc.hugetlb=10"));
        assertFalse(NativeMemory.tunableSet("glibc.malloc.arena_max=2"));
    }
}
