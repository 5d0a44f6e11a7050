package neuroflux.stages.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import neuroflux.onnx.BadInputException;
import neuroflux.stages.data.Dataset;

/**
 * A block's cached outputs read back as a dataset. The file is memory-mapped for its header, labels and checksum;
 * samples are read with positional reads into a small buffer, so that the file's pages stay in the operating
 * system's page cache, which it fills and drops as it likes, and never enter this process's resident memory: host
 * memory is not the limit, and a block's measured peak holds one batch of samples, not the pages a shuffled
 * reader touched (through the mapping, 65 MiB of them were resident one batch into a block).
 */
public final class CachedDataset implements Dataset, AutoCloseable {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final Arena arena;
    private final MemorySegment map;
    private final CacheFileFormat.Header header;
    private final int classes;
    private final int sampleValues;
    private final FileChannel reads;
    /**
     * Buffers for positional reads, taken by one reader at a time and put back: as many as readers ever ran at
     * once (one or two), in this file's arena, freed when it closes. A buffer per thread was a new direct buffer
     * for every batch, since the loader prepares each batch on a fresh virtual thread, and those stayed in native
     * memory until a garbage collection happened to run (53 MB an epoch for a 200 KB sample).
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<ByteBuffer> sampleBuffers =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final int sampleBytes;

    private CachedDataset(Path file, Arena arena, MemorySegment map, CacheFileFormat.Header header, int classes,
                          FileChannel reads) {
        this.file = file;
        this.arena = arena;
        this.map = map;
        this.header = header;
        this.classes = classes;
        this.sampleValues = Math.toIntExact(header.sampleValues());
        this.reads = reads;
        this.sampleBytes = Math.toIntExact(header.sampleValues() * header.dtype().bytes);
    }

    /**
     * Opens a cache file. With {@code verify}, the checksum over all data is checked first (one sequential read);
     * a truncated or corrupted file is a {@link CorruptCacheException}, never used.
     */
    public static CachedDataset open(Path file, int classes, boolean verify) throws IOException {
        Arena arena = Arena.ofShared();
        FileChannel reads = null;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            String[] why = new String[1];
            CacheFileFormat.Header h = size < CacheFileFormat.HEADER_BYTES ? null
                    : CacheFileFormat.decode(ch.map(FileChannel.MapMode.READ_ONLY, 0, CacheFileFormat.HEADER_BYTES), why);
            if (h == null) throw new CorruptCacheException(file, why[0] == null ? "shorter than its header" : why[0]);
            if (size != h.fileBytes()) {
                throw new CorruptCacheException(file, "it has " + size + " bytes, its header says " + h.fileBytes());
            }
            MemorySegment map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            reads = FileChannel.open(file, StandardOpenOption.READ);
            CachedDataset d = new CachedDataset(file, arena, map, h, classes, reads);
            if (verify && d.computeChecksum() != h.checksum()) {
                throw new CorruptCacheException(file, "its checksum does not match its contents");
            }
            // the check read every page: they leave the resident set, which holds only what a reader touches next
            if (verify) d.releaseResidentPages();
            return d;
        } catch (NoSuchFileException e) {
            arena.close();
            if (reads != null) reads.close();
            throw new CorruptCacheException(file, "it does not exist");
        } catch (IOException | RuntimeException e) {
            arena.close();
            if (reads != null) reads.close();
            throw e;
        }
    }

    private long computeChecksum() {
        CRC32C crc = new CRC32C();
        long start = CacheFileFormat.HEADER_BYTES;
        long end = header.fileBytes();
        long chunk = 1 << 24;
        for (long at = start; at < end; at += chunk) {
            crc.update(map.asSlice(at, Math.min(chunk, end - at)).asByteBuffer());
        }
        return crc.getValue();
    }

    public Path file() {
        return file;
    }

    public CacheDtype dtype() {
        return header.dtype();
    }

    @Override
    public int size() {
        return header.count();
    }

    @Override
    public long[] sampleShape() {
        return header.sampleShape().clone();
    }

    @Override
    public int classes() {
        return classes;
    }

    @Override
    public void copySample(int index, float[] dst, int offset) {
        long at = CacheFileFormat.HEADER_BYTES + (long) index * sampleValues * header.dtype().bytes;
        ByteBuffer b = sampleBuffers.poll();
        if (b == null) b = arena.allocate(sampleBytes, 64).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        b.clear();
        try {
            read(b, at, index);
            if (header.dtype() == CacheDtype.FLOAT32) {
                b.asFloatBuffer().get(dst, offset, sampleValues);
            } else {
                for (int i = 0; i < sampleValues; i++) dst[offset + i] = Float.float16ToFloat(b.getShort(2 * i));
            }
        } finally {
            sampleBuffers.offer(b);
        }
    }

    /** Fills {@code b} from file position {@code at} and flips it. */
    private void read(ByteBuffer b, long at, int index) {
        try {
            while (b.hasRemaining()) {
                if (reads.read(b, at + b.position()) < 0) {
                    throw new CorruptCacheException(file, "it ended inside sample " + index);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read sample " + index + " of cache " + file + ": "
                    + e.getMessage(), e);
        }
        b.flip();
    }

    @Override
    public int label(int index) {
        return map.get(INT, CacheFileFormat.HEADER_BYTES + header.dataBytes() + 4L * index);
    }

    /**
     * Drops the file's pages from this process's resident memory; they stay in the operating system's page cache
     * and come back on the next read. A reader that measures its memory from the resident set calls this as it
     * goes, so that the pages of samples already read are not counted as memory it holds.
     */
    public void releaseResidentPages() {
        map.unload();
    }

    @Override
    public void close() {
        arena.close();
        try {
            reads.close();
        } catch (IOException e) {
            // a read-only channel: nothing of the run's is lost when closing it fails
        }
    }

    /** A cache file that must not be used: truncated, damaged, or of another run. */
    public static final class CorruptCacheException extends BadInputException {
        public CorruptCacheException(Path file, String why) {
            super("cache file " + file + " cannot be used: " + why);
        }
    }

    /** Bytes a cache of {@code count} samples of the given shape occupies on disk. */
    public static long fileBytes(CacheDtype dtype, long[] sampleShape, int count) {
        return new CacheFileFormat.Header(dtype, count, sampleShape, 0).fileBytes();
    }

    static boolean exists(Path file) {
        return Files.isRegularFile(file);
    }
}
