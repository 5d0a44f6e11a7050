package neuroflux.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a file a user named (a model, a tensor) whole, refusing what cannot be one: a folder, a FIFO or device
 * such as {@code /dev/zero} (which would block or never end), or a file too large for one Java array.
 */
final class InputFiles {
    /** Protobuf cannot parse messages of 2 GiB or more, and a Java array holds a little less. */
    static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    private InputFiles() {}

    /** The bytes of {@code file}; {@code kind} says what it should be ("model file", "file") in messages. */
    static byte[] read(Path file, String kind) {
        try {
            if (Files.isDirectory(file)) throw new BadInputException(file + " is a folder, not a " + kind);
            if (!Files.exists(file)) throw new BadInputException("no such " + kind + ": " + file);
            if (!Files.isRegularFile(file)) {
                throw new BadInputException(file + " is not a regular file (a device or a pipe?), not a " + kind);
            }
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new BadInputException(file + " holds " + size + " bytes; a " + kind + " must be smaller than"
                        + " 2 GiB (ONNX keeps larger weights in external data files)");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException("no such " + kind + ": " + file);
        } catch (IOException e) {
            throw new BadInputException("cannot read " + kind + " " + file + ": " + e.getMessage(), e);
        }
    }
}
