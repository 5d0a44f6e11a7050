package neuroflux.onnx.runtime;

import neuroflux.onnx.BadInputException;

/** Where ONNX Runtime executes: the CPU, or an NVIDIA GPU through the CUDA execution provider. */
public enum Device {
    CPU, CUDA;

    public static Device parse(String s) {
        return switch (s == null ? "" : s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "cpu" -> CPU;
            case "cuda", "gpu" -> CUDA;
            default -> throw new BadInputException("unknown device '" + s + "': use cpu or cuda");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
