package neuroflux.stages.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import neuroflux.onnx.BadInputException;

/**
 * The IDX format of MNIST and Fashion-MNIST: two zero bytes, a type byte (0x08 for unsigned bytes), the number of
 * dimensions, each dimension as a big-endian int, then the data. Files may be gzipped (told by their content, not
 * their name). Only unsigned-byte files are read, and the data must be exactly as long as the dimensions say.
 */
record IdxFile(int[] dims, byte[] data) {
    private static final int UNSIGNED_BYTE = 0x08;

    /** Reads {@code file}, which must hold {@code rank} dimensions (3 for images, 1 for labels). */
    static IdxFile read(Path file, int rank) {
        byte[] bytes = readMaybeGzipped(file);
        if (bytes.length < 4)
            throw new BadInputException(file + " is truncated: " + bytes.length + " bytes, shorter than an IDX header");
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int magic = in.getInt();
        int expectedMagic = (UNSIGNED_BYTE << 8) | rank;
        if (magic != expectedMagic)
            throw new BadInputException(String.format(
                    "%s is not an IDX file of %d-dimensional unsigned bytes: magic number 0x%08X, expected 0x%08X",
                    file, rank, magic, expectedMagic));
        if (bytes.length < 4 + 4 * rank)
            throw new BadInputException(file + " is truncated: " + bytes.length + " bytes, shorter than its header");
        int[] dims = new int[rank];
        long expected = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = in.getInt();
            if (dims[i] < 0) throw new BadInputException(file + " has a negative dimension " + dims[i]);
            expected *= dims[i];
        }
        long actual = bytes.length - in.position();
        if (actual < expected)
            throw new BadInputException(file + " is truncated: " + actual + " data bytes, but its header "
                    + Arrays.toString(dims) + " says " + expected);
        if (actual > expected)
            throw new BadInputException(file + " has " + (actual - expected) + " bytes after the "
                    + expected + " its header " + Arrays.toString(dims) + " announces");
        return new IdxFile(dims, Arrays.copyOfRange(bytes, in.position(), bytes.length));
    }

    private static byte[] readMaybeGzipped(Path file) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            boolean gzipped = raw.read() == 0x1F && raw.read() == 0x8B;
            raw.reset();
            if (!gzipped) return raw.readAllBytes();
            try (InputStream unzipped = new GZIPInputStream(raw, 1 << 16)) {
                return unzipped.readAllBytes();
            }
        } catch (EOFException | ZipException e) {
            throw new BadInputException(file + " is truncated or a damaged gzip file (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new BadInputException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
