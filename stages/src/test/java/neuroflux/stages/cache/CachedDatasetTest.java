package neuroflux.stages.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CachedDatasetTest {
    @TempDir
    Path dir;

    private static final long[] SHAPE = {3, 4, 5};

    private float[][] write(Path file, CacheDtype dtype, int count) throws IOException {
        Random r = new Random(7);
        float[][] samples = new float[count][60];
        try (CacheWriter w = new CacheWriter(file, dtype, SHAPE, count)) {
            for (int i = 0; i < count; i += 4) {
                int n = Math.min(4, count - i);
                float[] batch = new float[n * 60];
                long[] labels = new long[n];
                for (int k = 0; k < n; k++) {
                    for (int v = 0; v < 60; v++) samples[i + k][v] = batch[k * 60 + v] = (float) r.nextGaussian();
                    labels[k] = (i + k) % 10;
                }
                w.append(batch, n, labels);
            }
            long bytes = w.finish();
            assertEquals(CachedDataset.fileBytes(dtype, SHAPE, count), bytes);
        }
        return samples;
    }

    /**
     * Verifying a cache reads all of it; its pages must not stay in the resident set afterwards, where they would
     * count in the memory measured for the block that reads it.
     */
    @Test
    void verifyingACacheLeavesItsPagesOutOfTheResidentSet() throws IOException {
        Path f = dir.resolve("big.cache");
        int count = 160_000; // 60 floats each: about 37 MiB
        try (CacheWriter w = new CacheWriter(f, CacheDtype.FLOAT32, SHAPE, count)) {
            float[] batch = new float[1000 * 60];
            long[] labels = new long[1000];
            for (int i = 0; i < count; i += 1000) w.append(batch, 1000, labels);
            w.finish();
        }
        long before = residentFileKib();
        try (CachedDataset d = CachedDataset.open(f, 10, true)) {
            long grown = residentFileKib() - before;
            assertTrue(grown < 8 * 1024, "verifying left " + grown + " KiB of the cache resident");
            // a shuffled reader over all of it: the samples come through positional reads, not the mapping
            float[] sample = new float[60];
            Random r = new Random(3);
            for (int i = 0; i < count; i++) d.copySample(r.nextInt(count), sample, 0);
            grown = residentFileKib() - before;
            assertTrue(grown < 8 * 1024, "reading left " + grown + " KiB of the cache resident");
        }
    }

    /**
     * The batch loader prepares every batch on a fresh virtual thread: reading must not leave a native buffer per
     * thread behind (they stayed until a garbage collection ran, tens of MiB an epoch inside a block's peak).
     */
    @Test
    void readersOnFreshThreadsLeaveNoBufferEach() throws Exception {
        Path f = dir.resolve("t.cache");
        write(f, CacheDtype.FLOAT32, 16);
        var direct = java.lang.management.ManagementFactory.getPlatformMXBeans(
                java.lang.management.BufferPoolMXBean.class).stream().filter(p -> p.getName().equals("direct"))
                .findFirst().orElseThrow();
        try (CachedDataset d = CachedDataset.open(f, 10, true)) {
            d.copySample(0, new float[60], 0);
            long before = direct.getMemoryUsed();
            for (int t = 0; t < 500; t++) {
                int sample = t % 16;
                Thread.ofVirtual().start(() -> d.copySample(sample, new float[60], 0)).join();
            }
            long grown = direct.getMemoryUsed() - before;
            assertTrue(grown < 16 * 240, "500 readers on fresh threads left " + grown + " bytes of buffers");
        }
    }

    /**
     * A finished writer's buffer is gone at once: a direct buffer stayed until a garbage collection ran, and the
     * caching pass's buffers were then counted in the next block's training peak (53 MiB before VGG-11's block 4).
     * With a direct buffer (the code before) the pool still holds the batch buffer here, unless a collection ran.
     */
    @Test
    void aFinishedWriterLeavesNoNativeBuffer() throws Exception {
        var direct = java.lang.management.ManagementFactory.getPlatformMXBeans(
                java.lang.management.BufferPoolMXBean.class).stream().filter(p -> p.getName().equals("direct"))
                .findFirst().orElseThrow();
        long[] shape = {3, 16, 16};
        int batch = 16;
        long batchBytes = 4L * batch * 3 * 16 * 16;
        long before = direct.getMemoryUsed();
        try (CacheWriter w = new CacheWriter(dir.resolve("w.cache"), CacheDtype.FLOAT32, shape, 4 * batch)) {
            for (int i = 0; i < 4; i++) w.append(new float[batch * 768], batch, new long[batch]);
            w.finish();
        }
        long left = direct.getMemoryUsed() - before;
        assertTrue(left < batchBytes / 4, "a finished writer left " + left + " bytes of native buffers");
    }

    private static long residentFileKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("RssFile:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        org.junit.jupiter.api.Assumptions.abort("no RssFile in /proc/self/status");
        return 0;
    }

    @Test
    void float32RoundTripsExactly() throws IOException {
        Path f = dir.resolve("a.cache");
        float[][] samples = write(f, CacheDtype.FLOAT32, 10);
        try (CachedDataset d = CachedDataset.open(f, 10, true)) {
            assertEquals(10, d.size());
            assertArrayEquals(SHAPE, d.sampleShape());
            float[] got = new float[120];
            d.copySample(7, got, 60);
            for (int v = 0; v < 60; v++) assertEquals(samples[7][v], got[60 + v]);
            assertEquals(7, d.label(7));
        }
    }

    @Test
    void float16KeepsAboutThreeDigits() throws IOException {
        Path f = dir.resolve("h.cache");
        float[][] samples = write(f, CacheDtype.FLOAT16, 9);
        try (CachedDataset d = CachedDataset.open(f, 10, true)) {
            float[] got = new float[60];
            d.copySample(8, got, 0);
            for (int v = 0; v < 60; v++) assertEquals(samples[8][v], got[v], Math.abs(samples[8][v]) * 1e-3 + 1e-4);
            assertEquals(8, d.label(8));
        }
    }

    @Test
    void unfinishedWriteLeavesNoFileUnderTheFinalName() throws IOException {
        Path f = dir.resolve("u.cache");
        try (CacheWriter w = new CacheWriter(f, CacheDtype.FLOAT32, SHAPE, 8)) {
            w.append(new float[240], 4, new long[4]);
        }
        assertFalse(Files.exists(f));
        assertFalse(Files.exists(dir.resolve("u.cache.partial")));
    }

    @Test
    void truncatedOrCorruptedFilesAreRefused() throws IOException {
        Path f = dir.resolve("c.cache");
        write(f, CacheDtype.FLOAT32, 10);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.seek(CacheFileFormat.HEADER_BYTES + 100);
            raf.write(raf.read() ^ 0x55);
        }
        var e = assertThrows(CachedDataset.CorruptCacheException.class, () -> CachedDataset.open(f, 10, true));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());

        write(f, CacheDtype.FLOAT32, 10);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(raf.length() - 3);
        }
        e = assertThrows(CachedDataset.CorruptCacheException.class, () -> CachedDataset.open(f, 10, false));
        assertTrue(e.getMessage().contains("bytes"), e.getMessage());

        Files.write(f, new byte[10]);
        assertThrows(CachedDataset.CorruptCacheException.class, () -> CachedDataset.open(f, 10, false));
        assertThrows(CachedDataset.CorruptCacheException.class,
                () -> CachedDataset.open(dir.resolve("missing.cache"), 10, false));
    }
}
