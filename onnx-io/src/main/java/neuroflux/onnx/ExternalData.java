package neuroflux.onnx;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the tensor data that a model keeps in files beside it (ONNX "external data"). A model file names these
 * files itself, so it could name {@code ../../home/user/.ssh/id_rsa}, an absolute path, a symbolic link that leads
 * out of its folder, a FIFO that blocks forever or {@code /dev/zero}: only regular files whose real location lies
 * inside the model's folder are read. And since many small tensor entries could all point at the same large file,
 * no file is read for more bytes in all than it holds, which bounds what a model can make neuroflux load by what
 * is on disk.
 */
public final class ExternalData {
    private final Path folder;
    private final Map<Path, Long> bytesRead = new HashMap<>();

    private ExternalData(Path folder) {
        this.folder = folder;
    }

    /** External data is not allowed (a lone tensor file, say). */
    public static ExternalData none() {
        return new ExternalData(null);
    }

    /** External data must lie inside {@code modelFolder}, following symbolic links. */
    public static ExternalData in(Path modelFolder) {
        return new ExternalData(modelFolder);
    }

    /** {@code length} bytes at {@code offset} of the file {@code location} names, relative to the model's folder. */
    ByteBuffer read(String what, String location, long offset, long length) {
        if (folder == null) throw new BadInputException(what + " is stored externally, which is not allowed here");
        Path file = resolve(what, location);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = in.size();
            if (offset < 0 || length < 0 || offset > size || length > size - offset) {
                throw new BadInputException(what + ": external file '" + location + "' holds " + size
                        + " bytes, too few for " + length + " bytes at offset " + offset);
            }
            long total = bytesRead.merge(file, length, Long::sum);
            if (total > size) {
                throw new BadInputException(what + ": the model reads " + total + " bytes from external file '"
                        + location + "', which holds only " + size + " (its tensors overlap)");
            }
            ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(length));
            while (data.hasRemaining()) {
                if (in.read(data, offset + data.position()) < 0) throw new EOFException("file ended early");
            }
            return data.flip();
        } catch (IOException e) {
            throw new BadInputException(what + ": cannot read external data '" + location + "': " + e.getMessage(), e);
        }
    }

    /** The real path of a regular file inside the model's folder, or a one-line refusal. */
    private Path resolve(String what, String location) {
        String outside = what + " points to external data outside the model's folder: '" + location + "'";
        Path real;
        Path base;
        try {
            if (location.isEmpty()) throw new BadInputException(what + " names an empty external data location");
            Path relative = Path.of(location);
            if (relative.isAbsolute() || relative.getRoot() != null) throw new BadInputException(outside);
            base = folder.toRealPath();
            Path lexical = base.resolve(relative).normalize();
            if (!lexical.startsWith(base)) throw new BadInputException(outside);
            real = lexical.toRealPath();
        } catch (InvalidPathException e) {
            throw new BadInputException(what + " names an invalid external data location: '" + location + "'");
        } catch (NoSuchFileException e) {
            throw new BadInputException(what + ": external data file '" + location + "' does not exist");
        } catch (IOException e) {
            throw new BadInputException(what + ": cannot find external data '" + location + "': " + e.getMessage(), e);
        }
        // a symbolic link inside the folder may lead anywhere; only where it really ends counts
        if (!real.startsWith(base)) throw new BadInputException(outside + " (through a symbolic link)");
        try {
            BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                throw new BadInputException(what + ": external data '" + location + "' is not a regular file");
            }
        } catch (IOException e) {
            throw new BadInputException(what + ": cannot read external data '" + location + "': " + e.getMessage(), e);
        }
        return real;
    }
}
