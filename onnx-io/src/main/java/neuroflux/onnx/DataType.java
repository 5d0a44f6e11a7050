package neuroflux.onnx;

/** The ONNX element types neuroflux handles, with their codes in the format and their sizes in bytes. */
public enum DataType {
    FLOAT(1, 4), UINT8(2, 1), INT8(3, 1), INT32(6, 4), INT64(7, 8), BOOL(9, 1), FLOAT16(10, 2), DOUBLE(11, 8);

    public final int code;
    public final int bytes;

    DataType(int code, int bytes) {
        this.code = code;
        this.bytes = bytes;
    }

    public static DataType fromCode(int code) {
        for (DataType t : values()) {
            if (t.code == code) return t;
        }
        throw new BadInputException("unsupported tensor element type " + code + " (neuroflux handles "
                + java.util.Arrays.toString(values()) + ")");
    }

    public boolean isFloating() {
        return this == FLOAT || this == DOUBLE || this == FLOAT16;
    }
}
