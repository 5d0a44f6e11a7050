package neuroflux.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import neuroflux.onnx.proto.Onnx.StringStringEntryProto;
import neuroflux.onnx.proto.Onnx.TensorProto;

/** Converts between {@link Tensor} and ONNX's {@code TensorProto}, including data stored in external files. */
public final class TensorCodec {
    /**
     * No single tensor neuroflux reads may be larger than this (a Java array's limit, about 2 GiB): a declared
     * terabyte tensor is a hostile file.
     */
    public static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE - 8;

    private TensorCodec() {}

    public static TensorProto toProto(String name, Tensor t) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(t.type().code);
        for (long d : t.shape()) b.addDims(d);
        b.setRawData(ByteString.copyFrom(t.bytes()));
        return b.build();
    }

    /** Reads a tensor; {@code external} says where data stored outside the model may be read from. */
    public static Tensor fromProto(TensorProto p, ExternalData external) {
        String what = p.getName().isEmpty() ? "a tensor" : "tensor '" + p.getName() + "'";
        DataType type = DataType.fromCode(p.getDataType());
        if (p.getDimsCount() > Shapes.MAX_RANK) {
            throw new BadInputException(what + " has " + p.getDimsCount() + " dimensions, more than neuroflux accepts ("
                    + Shapes.MAX_RANK + ")");
        }
        long[] shape = new long[p.getDimsCount()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = p.getDims(i);
            if (shape[i] < 0) throw new BadInputException(what + " has a negative dimension " + shape[i]);
            count = saturatingMultiply(count, shape[i]);
        }
        long bytes = saturatingMultiply(count, type.bytes);
        if (bytes > MAX_TENSOR_BYTES) {
            throw new BadInputException(what + " declares shape " + Shapes.format(shape) + " (" + bytes
                    + " bytes), larger than neuroflux accepts (" + MAX_TENSOR_BYTES + " bytes)");
        }
        ByteBuffer data;
        if (p.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            data = readExternal(p, external, what, bytes);
        } else if (p.hasRawData()) {
            data = p.getRawData().asReadOnlyByteBuffer();
        } else {
            data = fromTypedFields(p, type, (int) count, what);
        }
        if (data.remaining() != bytes) {
            throw new BadInputException(what + " of shape " + Shapes.format(shape) + " holds " + data.remaining()
                    + " bytes of data, expected " + bytes);
        }
        return new Tensor(type, shape, data);
    }

    private static long saturatingMultiply(long a, long b) {
        long r = a * b;
        if (a != 0 && (r / a != b || r < 0)) return Long.MAX_VALUE;
        return r;
    }

    private static ByteBuffer fromTypedFields(TensorProto p, DataType type, int count, String what) {
        int available = switch (type) {
            case FLOAT -> p.getFloatDataCount();
            case DOUBLE -> p.getDoubleDataCount();
            case INT64 -> p.getInt64DataCount();
            default -> p.getInt32DataCount();
        };
        // checked before allocating: a small file may declare a huge shape and hold no values at all
        if (available != count) {
            throw new BadInputException(what + " holds " + available + " values, its shape needs " + count);
        }
        ByteBuffer b = ByteBuffer.allocate(count * type.bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            switch (type) {
                case FLOAT -> b.putFloat(p.getFloatData(i));
                case DOUBLE -> b.putDouble(p.getDoubleData(i));
                case INT64 -> b.putLong(p.getInt64Data(i));
                case INT32 -> b.putInt(p.getInt32Data(i));
                case FLOAT16 -> b.putShort((short) p.getInt32Data(i));
                case INT8, UINT8, BOOL -> b.put((byte) p.getInt32Data(i));
            }
        }
        return b.flip();
    }

    private static ByteBuffer readExternal(TensorProto p, ExternalData external, String what, long bytes) {
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : p.getExternalDataList()) {
            try {
                switch (e.getKey()) {
                    case "location" -> location = e.getValue();
                    case "offset" -> offset = Long.parseLong(e.getValue());
                    case "length" -> length = Long.parseLong(e.getValue());
                    default -> { }
                }
            } catch (NumberFormatException ex) {
                throw new BadInputException(what + " has a malformed external-data " + e.getKey() + ": " + e.getValue());
            }
        }
        if (location == null) throw new BadInputException(what + " is stored externally but names no location");
        if (length < 0) length = bytes;
        if (length != bytes || offset < 0) {
            throw new BadInputException(what + " declares " + length + " bytes of external data at offset " + offset
                    + ", its shape needs " + bytes);
        }
        return external.read(what, location, offset, length);
    }

    /** Reads a serialized {@code TensorProto} file (the layout of ONNX's test data and of the fixtures). */
    public static Tensor read(Path file) {
        byte[] bytes = InputFiles.read(file, "file");
        try {
            WireScan.check(bytes, TensorProto.getDescriptor(), file.toString());
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.enableAliasing(true);
            return fromProto(TensorProto.parseFrom(in), ExternalData.none());
        } catch (InvalidProtocolBufferException e) {
            throw new BadInputException(file + " is not a serialized ONNX TensorProto: " + e.getMessage());
        } catch (IOException e) {
            throw new BadInputException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public static void write(Path file, String name, Tensor t) throws IOException {
        Files.write(file, toProto(name, t).toByteArray());
    }
}
