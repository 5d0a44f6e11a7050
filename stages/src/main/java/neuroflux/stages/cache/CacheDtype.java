package neuroflux.stages.cache;

import java.util.Locale;
import neuroflux.onnx.BadInputException;

/** How cached activations are stored: float32 exactly, or float16 at half the disk and page-cache footprint. */
public enum CacheDtype {
    FLOAT32(4), FLOAT16(2);

    public final int bytes;

    CacheDtype(int bytes) {
        this.bytes = bytes;
    }

    public static CacheDtype parse(String s) {
        return switch (s == null ? "" : s.trim().toLowerCase(Locale.ROOT)) {
            case "float32", "fp32", "f32" -> FLOAT32;
            case "float16", "fp16", "f16", "half" -> FLOAT16;
            default -> throw new BadInputException("unknown --cache-dtype '" + s + "': use float32 or float16");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
