package neuroflux.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A dense tensor in host memory: element type, shape and little-endian bytes (the ONNX raw_data layout).
 * Immutable: the accessors return copies, so a tensor can be shared between graphs safely.
 */
public final class Tensor {
    private final DataType type;
    private final long[] shape;
    private final ByteBuffer data;

    public Tensor(DataType type, long[] shape, ByteBuffer data) {
        this.type = type;
        this.shape = shape.clone();
        long expected = Math.multiplyExact(Shapes.size(shape), (long) type.bytes);
        if (data.remaining() != expected) {
            throw new BadInputException("tensor of type " + type + " and shape " + Shapes.format(shape) + " needs "
                    + expected + " bytes but has " + data.remaining());
        }
        this.data = data.slice().order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    public static Tensor ofFloats(long[] shape, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new Tensor(DataType.FLOAT, shape, b);
    }

    public static Tensor ofDoubles(long[] shape, double... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(values);
        return new Tensor(DataType.DOUBLE, shape, b);
    }

    public static Tensor ofLongs(long[] shape, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new Tensor(DataType.INT64, shape, b);
    }

    public static Tensor ofInts(long[] shape, int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(values);
        return new Tensor(DataType.INT32, shape, b);
    }

    /** A 1-D int64 tensor, the form ONNX uses for shapes, axes and pads passed as inputs. */
    public static Tensor vector(long... values) {
        return ofLongs(new long[] {values.length}, values);
    }

    public static Tensor scalar(float value) {
        return ofFloats(new long[0], value);
    }

    public static Tensor zeros(DataType type, long[] shape) {
        return new Tensor(type, shape, ByteBuffer.allocate(Math.toIntExact(Shapes.size(shape) * type.bytes)));
    }

    public DataType type() {
        return type;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long size() {
        return Shapes.size(shape);
    }

    public long byteSize() {
        return data.remaining();
    }

    /** A read-only little-endian view of the bytes. */
    public ByteBuffer bytes() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The values as floats, converting from any numeric type. */
    public float[] floats() {
        int n = Math.toIntExact(size());
        float[] out = new float[n];
        ByteBuffer b = bytes();
        switch (type) {
            case FLOAT -> b.asFloatBuffer().get(out);
            case DOUBLE -> { for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(i * 8); }
            case FLOAT16 -> { for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(b.getShort(i * 2)); }
            default -> { long[] l = longs(); for (int i = 0; i < n; i++) out[i] = l[i]; }
        }
        return out;
    }

    /** The values as doubles, converting from any numeric type. */
    public double[] doubles() {
        int n = Math.toIntExact(size());
        double[] out = new double[n];
        if (type == DataType.DOUBLE) {
            bytes().asDoubleBuffer().get(out);
        } else if (type.isFloating()) {
            float[] f = floats();
            for (int i = 0; i < n; i++) out[i] = f[i];
        } else {
            long[] l = longs();
            for (int i = 0; i < n; i++) out[i] = l[i];
        }
        return out;
    }

    /** The values as longs; floating values are truncated toward zero. */
    public long[] longs() {
        int n = Math.toIntExact(size());
        long[] out = new long[n];
        ByteBuffer b = bytes();
        switch (type) {
            case INT64 -> b.asLongBuffer().get(out);
            case INT32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4); }
            case INT8 -> { for (int i = 0; i < n; i++) out[i] = b.get(i); }
            case UINT8, BOOL -> { for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xff; }
            default -> { double[] d = doubles(); for (int i = 0; i < n; i++) out[i] = (long) d[i]; }
        }
        return out;
    }

    public Tensor reshape(long... newShape) {
        return new Tensor(type, newShape, bytes());
    }

    /** This tensor's values converted to another element type. */
    public Tensor cast(DataType to) {
        if (to == type) return this;
        long[] s = shape;
        return switch (to) {
            case FLOAT -> ofFloats(s, floats());
            case DOUBLE -> ofDoubles(s, doubles());
            case INT64 -> ofLongs(s, longs());
            case INT32 -> ofInts(s, Arrays.stream(longs()).mapToInt(Math::toIntExact).toArray());
            default -> throw new UnsupportedOperationException("cast to " + to);
        };
    }

    @Override
    public String toString() {
        return "Tensor(" + type + ", " + Shapes.format(shape) + ")";
    }
}
