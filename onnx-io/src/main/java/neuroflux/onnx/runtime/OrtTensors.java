package neuroflux.onnx.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Tensor;

/** Copies between neuroflux {@link Tensor}s and ONNX Runtime's tensors. */
public final class OrtTensors {
    private OrtTensors() {}

    public static OnnxTensor toOrt(OrtEnvironment env, Tensor t) throws OrtException {
        return copyInto(env, t, ByteBuffer.allocateDirect((int) t.byteSize()));
    }

    /**
     * The same copy in memory of {@code arena}, freed when the arena closes rather than when a garbage collection
     * happens to clear a direct buffer. For inputs of one run: a buffer per call that waits for the collector stays
     * resident, and thousands of evaluation batches left tens of MiB in the next epoch's measured peak. The tensor
     * must be closed before the arena.
     */
    public static OnnxTensor toOrt(OrtEnvironment env, Tensor t, java.lang.foreign.Arena arena) throws OrtException {
        return copyInto(env, t, arena.allocate(Math.max(1, t.byteSize()), 64).asByteBuffer());
    }

    /** Copies {@code t} into native memory {@code direct} and wraps it, without a further copy, as a tensor. */
    private static OnnxTensor copyInto(OrtEnvironment env, Tensor t, ByteBuffer direct) throws OrtException {
        direct.order(ByteOrder.nativeOrder()).put(t.bytes()).flip();
        return OnnxTensor.createTensor(env, direct, t.shape(), javaType(t.type()));
    }

    public static Tensor fromOrt(OnnxTensor t) {
        TensorInfo info = t.getInfo();
        DataType type = switch (info.type) {
            case FLOAT -> DataType.FLOAT;
            case DOUBLE -> DataType.DOUBLE;
            case INT64 -> DataType.INT64;
            case INT32 -> DataType.INT32;
            case INT8 -> DataType.INT8;
            case UINT8 -> DataType.UINT8;
            case BOOL -> DataType.BOOL;
            case FLOAT16 -> DataType.FLOAT16;
            default -> throw new IllegalStateException("unsupported ONNX Runtime tensor type " + info.type);
        };
        ByteBuffer b = t.getByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        return new Tensor(type, info.getShape(), b);
    }

    static OnnxJavaType javaType(DataType t) {
        return switch (t) {
            case FLOAT -> OnnxJavaType.FLOAT;
            case DOUBLE -> OnnxJavaType.DOUBLE;
            case INT64 -> OnnxJavaType.INT64;
            case INT32 -> OnnxJavaType.INT32;
            case INT8 -> OnnxJavaType.INT8;
            case UINT8 -> OnnxJavaType.UINT8;
            case BOOL -> OnnxJavaType.BOOL;
            case FLOAT16 -> OnnxJavaType.FLOAT16;
        };
    }
}
