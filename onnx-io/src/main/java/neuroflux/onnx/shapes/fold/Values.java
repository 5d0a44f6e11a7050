package neuroflux.onnx.shapes.fold;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;

/** Building small tensors of any element type from computed values, for the constant evaluator. */
final class Values {
    private Values() {}

    static boolean isInteger(DataType t) {
        return !t.isFloating();
    }

    static Tensor fromLongs(DataType type, long[] shape, long[] v) {
        if (type.isFloating()) {
            double[] d = new double[v.length];
            for (int i = 0; i < v.length; i++) d[i] = v[i];
            return fromDoubles(type, shape, d);
        }
        ByteBuffer b = ByteBuffer.allocate(v.length * type.bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            switch (type) {
                case INT64 -> b.putLong(x);
                case INT32 -> b.putInt((int) x);
                case BOOL -> b.put((byte) (x != 0 ? 1 : 0));
                default -> b.put((byte) x);
            }
        }
        return new Tensor(type, shape, b.flip());
    }

    static Tensor fromDoubles(DataType type, long[] shape, double[] v) {
        if (!type.isFloating()) {
            long[] l = new long[v.length];
            for (int i = 0; i < v.length; i++) l[i] = type == DataType.BOOL ? (v[i] != 0 ? 1 : 0) : (long) v[i];
            return fromLongs(type, shape, l);
        }
        ByteBuffer b = ByteBuffer.allocate(v.length * type.bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) {
            switch (type) {
                case FLOAT -> b.putFloat((float) x);
                case DOUBLE -> b.putDouble(x);
                default -> b.putShort(Float.floatToFloat16((float) x));
            }
        }
        return new Tensor(type, shape, b.flip());
    }

    /** A tensor of the given shape whose element i is element {@code index[i]} of {@code sources[which[i]]}. */
    static Tensor pick(long[] shape, Tensor[] sources, int[] which, long[] index) {
        DataType type = sources[0].type();
        int n = Math.toIntExact(Shapes.size(shape));
        ByteBuffer out = ByteBuffer.allocate(n * type.bytes);
        ByteBuffer[] in = new ByteBuffer[sources.length];
        for (int s = 0; s < sources.length; s++) in[s] = sources[s].bytes();
        for (int i = 0; i < n; i++) {
            ByteBuffer src = in[which == null ? 0 : which[i]];
            int at = Math.toIntExact(index[i] * type.bytes);
            for (int k = 0; k < type.bytes; k++) out.put(src.get(at + k));
        }
        return new Tensor(type, shape, out.flip());
    }

    static Tensor pick(long[] shape, Tensor source, long[] index) {
        return pick(shape, new Tensor[] {source}, null, index);
    }

    /** The coordinates of flat position {@code flat} in a row-major tensor of the given shape. */
    static long[] coordinates(long flat, long[] shape) {
        long[] c = new long[shape.length];
        for (int i = shape.length - 1; i >= 0; i--) {
            c[i] = flat % shape[i];
            flat /= shape[i];
        }
        return c;
    }

    /** The flat position of coordinates in a row-major tensor of the given shape. */
    static long flat(long[] coords, long[] shape) {
        long f = 0;
        for (int i = 0; i < shape.length; i++) f = f * shape[i] + coords[i];
        return f;
    }
}
