package neuroflux.onnx.runtime;

/**
 * How sessions are created. {@code threads} is ONNX Runtime's intra-op thread count (0: its default, one per
 * core); {@code gpuMemLimitBytes} caps the CUDA arena (0: no cap).
 */
public record RuntimeOptions(Device device, int threads, int cudaDeviceId, long gpuMemLimitBytes) {
    public static RuntimeOptions cpu(int threads) {
        return new RuntimeOptions(Device.CPU, threads, 0, 0);
    }

    public static RuntimeOptions defaults() {
        return cpu(0);
    }

    public RuntimeOptions withGpuMemLimit(long bytes) {
        return new RuntimeOptions(device, threads, cudaDeviceId, bytes);
    }
}
