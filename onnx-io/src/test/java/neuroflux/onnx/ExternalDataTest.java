package neuroflux.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import neuroflux.onnx.proto.Onnx.ModelProto;
import neuroflux.onnx.proto.Onnx.StringStringEntryProto;
import neuroflux.onnx.proto.Onnx.TensorProto;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model names its external data files itself; only regular files inside its folder may be read, once. */
class ExternalDataTest {
    @TempDir
    Path tmp;

    Path folder;
    Path outside;

    @BeforeEach
    void files() throws IOException {
        folder = Files.createDirectories(tmp.resolve("model"));
        outside = tmp.resolve("outside.bin");
        Files.write(outside, floats(9, 9, 9, 9));
        Files.write(folder.resolve("weights.bin"), floats(1, 2, 3, 4));
    }

    @Test
    void dataInsideTheFolderIsRead() throws IOException {
        Files.createDirectories(folder.resolve("sub"));
        Files.write(folder.resolve("sub/w.bin"), floats(0, 5, 6, 7, 8));
        assertArrayEquals(new float[] {1, 2, 3, 4}, read(external("w", "weights.bin", -1, -1)).floats());
        assertArrayEquals(new float[] {5, 6, 7, 8}, read(external("w", "sub/./w.bin", 4, 16)).floats());
    }

    @Test
    void pathsLeadingOutsideAreRefused() {
        for (String location : new String[] {"../outside.bin", "sub/../../outside.bin", outside.toString(),
            "/etc/passwd"}) {
            assertRefused(location, "outside the model's folder");
        }
    }

    @Test
    void symbolicLinksCountWhereTheyLead() throws IOException {
        Path escape = folder.resolve("escape.bin");
        Path inside = folder.resolve("inside.bin");
        try {
            Files.createSymbolicLink(escape, outside);
            Files.createSymbolicLink(inside, folder.resolve("weights.bin"));
        } catch (UnsupportedOperationException | IOException e) {
            assumeTrue(false, "no symbolic links here: " + e);
        }
        assertRefused("escape.bin", "through a symbolic link");
        assertArrayEquals(new float[] {1, 2, 3, 4}, read(external("w", "inside.bin", -1, -1)).floats());
    }

    @Test
    void locationsThatAreNoFileAreRefused() {
        assertRefused(".", "not a regular file");
        assertRefused("", "empty external data location");
        assertRefused("a\u0000b", "invalid external data location");
        assertRefused("missing.bin", "does not exist");
    }

    @Test
    void rangesBeyondTheFileAreRefused() {
        assertRefused(external("w", "weights.bin", Long.MAX_VALUE, -1), "too few for 16 bytes at offset");
        assertRefused(external("w", "weights.bin", 4, -1), "too few");
        assertRefused(external("w", "weights.bin", 0, 1L << 40), "declares 1099511627776 bytes");
        assertRefused(external("w", "weights.bin", -4, -1), "at offset -4");
    }

    /** Many small tensor entries pointing at one large file would make neuroflux load it many times over. */
    @Test
    void tensorsMayNotReadOneFileTwice() {
        ModelProto.Builder m = HostileFilesTest.tiny().toBuilder();
        m.getGraphBuilder().addInitializer(tensor("a", "weights.bin")).addInitializer(tensor("b", "weights.bin"));
        assertRefused(m.build(), "its tensors overlap");
    }

    @Test
    void aLoneTensorFileMayNotPointAnywhere() throws IOException {
        Path file = folder.resolve("t.pb");
        Files.write(file, tensor("t", "weights.bin").toByteArray());
        BadInputException e = assertThrows(BadInputException.class, () -> TensorCodec.read(file));
        assertTrue(e.getMessage().contains("not allowed here"), e.getMessage());
    }

    private void assertRefused(String location, String expected) {
        assertRefused(external("w", location, -1, -1), expected);
    }

    private void assertRefused(ModelProto model, String expected) {
        BadInputException e = assertThrows(BadInputException.class, () -> read(model));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }

    private Tensor read(ModelProto model) throws IOException {
        Path file = folder.resolve("model.onnx");
        Files.write(file, model.toByteArray());
        return OnnxModels.read(file).initializers().get("w");
    }

    /** The tiny model with a float [4] initializer stored at {@code location}; -1 leaves offset or length out. */
    private static ModelProto external(String name, String location, long offset, long length) {
        TensorProto.Builder t = tensor(name, location).toBuilder();
        if (offset != -1) t.addExternalData(entry("offset", Long.toString(offset)));
        if (length != -1) t.addExternalData(entry("length", Long.toString(length)));
        ModelProto.Builder m = HostileFilesTest.tiny().toBuilder();
        m.getGraphBuilder().addInitializer(t);
        return m.build();
    }

    private static TensorProto tensor(String name, String location) {
        return TensorProto.newBuilder().setName(name).setDataType(DataType.FLOAT.code).addDims(4)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL).addExternalData(entry("location", location))
                .build();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }
}
