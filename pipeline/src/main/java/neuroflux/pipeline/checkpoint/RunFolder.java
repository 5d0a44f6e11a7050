package neuroflux.pipeline.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import neuroflux.onnx.BadInputException;

/**
 * A compress run's output folder: model.onnx and the reports, {@code blocks/}, {@code cache/} (while it runs, or
 * with --keep-cache) and {@code checkpoint/} (until the run finishes). Checked before any work: a folder that
 * cannot be created or written is refused in one line.
 */
public final class RunFolder {
    private RunFolder() {}

    public static void prepare(Path out) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new BadInputException("--out " + out + " is a file, not a folder");
        }
        try {
            Files.createDirectories(out);
            Path probe = Files.createTempFile(out, ".write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new BadInputException("cannot write to the output folder " + out + ": " + describe(e));
        }
    }

    /** Bytes of the files under a folder (0 where it does not exist). */
    public static long bytesUnder(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        try (var files = Files.walk(dir)) {
            long sum = 0;
            for (Path p : files.filter(Files::isRegularFile).toList()) sum += Files.size(p);
            return sum;
        }
    }

    /** Removes what a run wrote that a new run would otherwise continue from: --overwrite. */
    public static void clearForNewRun(Path out) throws IOException {
        new CheckpointStore(out).delete();
        Path cache = out.resolve("cache");
        if (!Files.exists(cache)) return;
        try (var paths = Files.walk(cache)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static String describe(Exception e) {
        String name = e.getClass().getSimpleName();
        return switch (name) {
            case "AccessDeniedException" -> "permission denied";
            case "FileSystemException", "NoSuchFileException" -> e.getMessage();
            default -> name + ": " + e.getMessage();
        };
    }
}
