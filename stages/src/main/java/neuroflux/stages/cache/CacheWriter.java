package neuroflux.stages.cache;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes one activation cache file sample by sample. The file is written under a temporary name, its checksum
 * put in the header, synced to disk and only then renamed into place, so a file under the final name is always
 * complete: a run killed while caching leaves no file that looks finished.
 */
public final class CacheWriter implements AutoCloseable {
    private final Path target;
    private final Path temporary;
    private final FileChannel channel;
    private final CacheDtype dtype;
    private final long[] sampleShape;
    private final int count;
    private final int sampleValues;
    private final int[] labels;
    private final CRC32C checksum = new CRC32C();
    /**
     * The write buffer's native memory, freed when the writer finishes or closes: a direct buffer would stay until
     * a garbage collection happened to run, inside the next block's measured peak.
     */
    private final Arena arena = Arena.ofShared();
    private ByteBuffer buffer;
    private int written;
    private boolean finished;

    public CacheWriter(Path target, CacheDtype dtype, long[] sampleShape, int count) throws IOException {
        this.target = target;
        this.temporary = target.resolveSibling(target.getFileName() + ".partial");
        this.dtype = dtype;
        this.sampleShape = sampleShape.clone();
        this.count = count;
        long values = 1;
        for (long d : sampleShape) values *= d;
        this.sampleValues = Math.toIntExact(values);
        this.labels = new int[count];
        Files.createDirectories(target.toAbsolutePath().getParent());
        this.channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        channel.position(CacheFileFormat.HEADER_BYTES);
    }

    /** Appends {@code n} samples held one after another in {@code values} starting at index 0. */
    public void append(float[] values, int n, long[] batchLabels) throws IOException {
        if (written + n > count) throw new IllegalStateException("cache " + target + " holds only " + count + " samples");
        int bytes = n * sampleValues * dtype.bytes;
        if (buffer == null || buffer.capacity() < bytes) {
            buffer = arena.allocate(bytes, 64).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        buffer.clear();
        int total = n * sampleValues;
        if (dtype == CacheDtype.FLOAT32) {
            buffer.asFloatBuffer().put(values, 0, total);
        } else {
            for (int i = 0; i < total; i++) buffer.putShort(i * 2, Float.floatToFloat16(values[i]));
        }
        buffer.limit(bytes);
        checksum.update(buffer.duplicate());
        while (buffer.hasRemaining()) channel.write(buffer);
        for (int i = 0; i < n; i++) labels[written + i] = Math.toIntExact(batchLabels[i]);
        written += n;
    }

    /** Writes labels and header, syncs and renames the file into place; returns its size in bytes. */
    public long finish() throws IOException {
        if (written != count) {
            throw new IllegalStateException("cache " + target + " got " + written + " of " + count + " samples");
        }
        ByteBuffer l = ByteBuffer.allocate(4 * count).order(ByteOrder.LITTLE_ENDIAN);
        l.asIntBuffer().put(labels);
        checksum.update(l.duplicate());
        while (l.hasRemaining()) channel.write(l);
        ByteBuffer header = CacheFileFormat.encode(
                new CacheFileFormat.Header(dtype, count, sampleShape, checksum.getValue()));
        channel.position(0);
        while (header.hasRemaining()) channel.write(header);
        channel.force(true);
        channel.close();
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
        finished = true;
        arena.close();
        return Files.size(target);
    }

    @Override
    public void close() throws IOException {
        if (!finished) {
            arena.close();
            if (channel.isOpen()) channel.close();
            Files.deleteIfExists(temporary);
        }
    }
}
