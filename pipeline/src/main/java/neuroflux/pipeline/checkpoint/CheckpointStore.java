package neuroflux.pipeline.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;
import neuroflux.stages.memory.NativeHeap;

/**
 * A run's checkpoint in {@code OUT/checkpoint}: one file of tensors per generation ({@code tensors-N.bin}) and
 * {@code manifest.json}, which names that file with its size and CRC32C, every tensor in it with its type, shape,
 * offset and CRC32C, and the run's state. The manifest is the commit point: the tensor file is written to a
 * temporary name, synced and renamed first, then the manifest the same way, and only then the previous
 * generation's file is deleted. A kill at any instant therefore leaves a manifest that names a complete file: the
 * old checkpoint or the new one, never a mix. Reading checks everything the manifest says before anything is used.
 */
public final class CheckpointStore {
    public static final String FOLDER = "checkpoint";
    static final String MANIFEST = "manifest.json";
    static final int FORMAT = 1;
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** A checkpoint read back and verified. */
    public record Loaded(JsonNode state, Map<String, Tensor> tensors, long generation) {}

    private final Path dir;

    public CheckpointStore(Path runFolder) {
        this.dir = runFolder.resolve(FOLDER);
    }

    public Path dir() {
        return dir;
    }

    public boolean exists() {
        return Files.isRegularFile(dir.resolve(MANIFEST));
    }

    /**
     * {@link #write} for a run in progress: a full disk becomes {@link DiskFullException}, another failure an
     * unchecked one, both naming {@code label} (what the checkpoint follows); afterwards what writing used goes back
     * to the kernel rather than staying resident in the next measured figure.
     */
    public void save(ObjectNode state, Map<String, Tensor> tensors, String label) {
        try {
            write(state, tensors);
        } catch (IOException e) {
            if (DiskFullException.isDiskFull(e)) throw new DiskFullException("the checkpoint after " + label, e);
            throw new UncheckedIOException("cannot write the checkpoint after " + label + ": "
                    + e.getMessage(), e);
        }
        NativeHeap.trim();
    }

    /** Writes a new generation: the tensors, then the manifest with {@code state}; then drops the old one. */
    public void write(ObjectNode state, Map<String, Tensor> tensors) throws IOException {
        try {
            writeGeneration(state, tensors);
        } catch (IOException e) {
            // a half-written generation is never used; removing it gives back the space a full disk needs
            try (var files = Files.list(dir)) {
                for (Path p : files.filter(p -> p.toString().endsWith(".partial")).toList()) Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // the failure being reported matters more
            }
            throw e;
        }
    }

    private void writeGeneration(ObjectNode state, Map<String, Tensor> tensors) throws IOException {
        Files.createDirectories(dir);
        long generation = nextGeneration();
        String name = "tensors-" + generation + ".bin";
        ArrayNode entries = JSON.createArrayNode();
        CRC32C whole = new CRC32C();
        Path temporary = dir.resolve(name + ".partial");
        long offset = 0;
        try (FileChannel ch = FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            Files.deleteIfExists(dir.resolve(MANIFEST + ".partial"));
            for (var e : tensors.entrySet()) {
                Tensor t = e.getValue();
                ByteBuffer bytes = t.bytes();
                CRC32C crc = new CRC32C();
                crc.update(bytes.duplicate());
                whole.update(bytes.duplicate());
                ObjectNode entry = entries.addObject();
                entry.put("name", e.getKey());
                entry.put("type", t.type().name());
                ArrayNode shape = entry.putArray("shape");
                for (long d : t.shape()) shape.add(d);
                entry.put("offset", offset);
                entry.put("bytes", t.byteSize());
                entry.put("crc32c", crc.getValue());
                writeInSlices(ch, bytes);
                offset += t.byteSize();
            }
            TestHooks.writing("checkpoint");
            ch.force(true);
        }
        TestHooks.reached("checkpoint-write");
        moveIntoPlace(temporary, dir.resolve(name));

        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("format", FORMAT);
        manifest.put("generation", generation);
        ObjectNode file = manifest.putObject("file");
        file.put("name", name);
        file.put("bytes", offset);
        file.put("crc32c", whole.getValue());
        manifest.set("tensors", entries);
        manifest.set("state", state);
        Path manifestTemporary = dir.resolve(MANIFEST + ".partial");
        try (FileChannel ch = FileChannel.open(manifestTemporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer text = ByteBuffer.wrap(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
            while (text.hasRemaining()) ch.write(text);
            ch.force(true);
        }
        TestHooks.reached("manifest-write");
        moveIntoPlace(manifestTemporary, dir.resolve(MANIFEST));
        syncFolder();
        // only now is the new generation the checkpoint; the old one's file can go
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String f = p.getFileName().toString();
                if (f.startsWith("tensors-") && !f.equals(name)) Files.deleteIfExists(p);
            }
        }
    }

    /** Reads and verifies the checkpoint; a damaged one is refused with {@link CorruptCheckpointException}. */
    public Loaded read() throws IOException {
        JsonNode manifest;
        try {
            manifest = JSON.readTree(Files.readString(dir.resolve(MANIFEST), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            throw new CorruptCheckpointException(dir, "its manifest cannot be read: " + e.getMessage());
        }
        if (manifest == null || manifest.path("format").asInt() != FORMAT || !manifest.has("state")) {
            throw new CorruptCheckpointException(dir, "its manifest is not a format " + FORMAT + " manifest");
        }
        JsonNode file = manifest.path("file");
        Path data = dir.resolve(file.path("name").asText("missing"));
        if (!data.getParent().equals(dir) || !Files.isRegularFile(data)) {
            throw new CorruptCheckpointException(dir, "its tensor file " + data.getFileName() + " is missing");
        }
        long size = Files.size(data);
        if (size != file.path("bytes").asLong(-1)) {
            throw new CorruptCheckpointException(dir, data.getFileName() + " has " + size + " bytes, the manifest says "
                    + file.path("bytes").asLong(-1));
        }
        ByteBuffer all;
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ)) {
            all = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
            while (all.hasRemaining() && ch.read(all) >= 0) {}
            all.flip();
        }
        CRC32C whole = new CRC32C();
        whole.update(all.duplicate());
        if (whole.getValue() != file.path("crc32c").asLong(-1)) {
            throw new CorruptCheckpointException(dir, data.getFileName() + " fails its CRC32C check");
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (JsonNode e : manifest.path("tensors")) {
            String name = e.path("name").asText();
            try {
                DataType type = DataType.valueOf(e.path("type").asText());
                long[] shape = new long[e.path("shape").size()];
                for (int i = 0; i < shape.length; i++) shape[i] = e.path("shape").get(i).asLong();
                long offset = e.path("offset").asLong(-1);
                long bytes = e.path("bytes").asLong(-1);
                if (bytes != Shapes.size(shape) * type.bytes || offset < 0 || offset + bytes > size) {
                    throw new IllegalArgumentException("its size does not match its type and shape");
                }
                ByteBuffer slice = all.slice(Math.toIntExact(offset), Math.toIntExact(bytes));
                CRC32C crc = new CRC32C();
                crc.update(slice.duplicate());
                if (crc.getValue() != e.path("crc32c").asLong(-1)) throw new IllegalArgumentException("CRC32C");
                tensors.put(name, new Tensor(type, shape, slice));
            } catch (RuntimeException ex) {
                throw new CorruptCheckpointException(dir, "tensor '" + name + "' fails its check: " + ex.getMessage());
            }
        }
        return new Loaded(manifest.get("state"), tensors, manifest.path("generation").asLong());
    }

    /** Removes the checkpoint (a finished run, or --overwrite). */
    public void delete() throws IOException {
        if (!Files.exists(dir)) return;
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir);
    }

    private long nextGeneration() {
        if (!exists()) return 1;
        try {
            return JSON.readTree(dir.resolve(MANIFEST).toFile()).path("generation").asLong(0) + 1;
        } catch (IOException | RuntimeException e) {
            return System.currentTimeMillis(); // an unreadable manifest is being replaced; any fresh name will do
        }
    }

    private static void moveIntoPlace(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Syncs the folder so that the renames themselves survive a power cut, not only the files' contents. */
    private void syncFolder() {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems do not sync folders; the renames are still atomic
        }
    }

    private static final int WRITE_SLICE_BYTES = 256 * 1024;

    /**
     * Writes a buffer in slices of at most {@value #WRITE_SLICE_BYTES} bytes. A channel copies a heap buffer into a
     * temporary direct buffer of the whole write's size and keeps it for the thread: one write of a 9 MiB tensor
     * would leave 9 MiB of native memory resident for the rest of the run, inside every later block's measured peak.
     */
    static void writeInSlices(FileChannel ch, ByteBuffer bytes) throws IOException {
        ByteBuffer rest = bytes.duplicate();
        while (rest.hasRemaining()) {
            ByteBuffer slice = rest.slice(rest.position(), Math.min(rest.remaining(), WRITE_SLICE_BYTES));
            while (slice.hasRemaining()) ch.write(slice);
            rest.position(rest.position() + slice.capacity());
        }
        bytes.position(bytes.limit());
    }
}
