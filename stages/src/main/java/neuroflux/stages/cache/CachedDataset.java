package neuroflux.stages.cache;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * A block's cached outputs read back as a dataset, memory-mapped so that host memory is not the limit: the
 * operating system pages samples in as batches touch them and can drop them again under pressure.
 */
public final class CachedDataset implements Dataset, AutoCloseable {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final Arena arena;
    private final MemorySegment map;
    private final CacheFileFormat.Header header;
    private final int classes;
    private final int sampleValues;

    private CachedDataset(Path file, Arena arena, MemorySegment map, CacheFileFormat.Header header, int classes) {
        this.file = file;
        this.arena = arena;
        this.map = map;
        this.header = header;
        this.classes = classes;
        this.sampleValues = Math.toIntExact(header.sampleValues());
    }

    /**
     * Opens a cache file. With {@code verify}, the checksum over all data is checked first (one sequential read);
     * a truncated or corrupted file is a {@link CorruptCacheException}, never used.
     */
    public static CachedDataset open(Path file, int classes, boolean verify) throws IOException {
        Arena arena = Arena.ofShared();
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
            CachedDataset d = new CachedDataset(file, arena, map, h, classes);
            if (verify && d.computeChecksum() != h.checksum()) {
                throw new CorruptCacheException(file, "its checksum does not match its contents");
            }
            // the check read every page: they leave the resident set, which holds only what a reader touches next
            if (verify) d.releaseResidentPages();
            return d;
        } catch (NoSuchFileException e) {
            arena.close();
            throw new CorruptCacheException(file, "it does not exist");
        } catch (IOException | RuntimeException e) {
            arena.close();
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
        if (header.dtype() == CacheDtype.FLOAT32) {
            MemorySegment.copy(map, FLOAT, at, dst, offset, sampleValues);
        } else {
            for (int i = 0; i < sampleValues; i++) {
                dst[offset + i] = Float.float16ToFloat(map.get(HALF, at + 2L * i));
            }
        }
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
