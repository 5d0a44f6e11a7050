package neuroflux.onnx.runtime;

/**
 * How sessions are created. {@code threads} is ONNX Runtime's intra-op thread count (0: its default, one per
 * core); {@code gpuMemLimitBytes} caps the CUDA arena (0: no cap).
 *
 * <p>{@code cpuArena}: ONNX Runtime's CPU memory arena, on by default. Each session has its own arena, which keeps
 * the most memory a run ever took and never gives it back; where several sessions run one after another (the
 * units of a block) each would hold its own peak, so their memory would add up. Without the arena, a session
 * frees its buffers after each run, and the next session reuses the same memory.
 *
 * <p>{@code spinning}: whether a session's worker threads spin for a while after a run, waiting for more work, as
 * ONNX Runtime does by default. Each session has its own thread pool, so where many short runs of different
 * sessions follow each other (the recomputing backward passes of {@code bp-checkpoint}), the workers of the session
 * that just ran spin on the cores the next session needs. Measured on vgg11 at batch 9 (BENCHMARKS.md): 48.1 s of
 * training with spinning against 32.0 s without it; a single session (bp) or units at batches of hundreds did not
 * change measurably.
 */
public record RuntimeOptions(Device device, int threads, int cudaDeviceId, long gpuMemLimitBytes, boolean cpuArena,
                             boolean spinning) {
    public RuntimeOptions(Device device, int threads, int cudaDeviceId, long gpuMemLimitBytes) {
        this(device, threads, cudaDeviceId, gpuMemLimitBytes, true, true);
    }

    public static RuntimeOptions cpu(int threads) {
        return new RuntimeOptions(Device.CPU, threads, 0, 0);
    }

    public static RuntimeOptions defaults() {
        return cpu(0);
    }

    public RuntimeOptions withGpuMemLimit(long bytes) {
        return new RuntimeOptions(device, threads, cudaDeviceId, bytes, cpuArena, spinning);
    }

    /** The same options with ONNX Runtime's CPU arena off: sessions give memory back after each run. */
    public RuntimeOptions withoutCpuArena() {
        return new RuntimeOptions(device, threads, cudaDeviceId, gpuMemLimitBytes, false, spinning);
    }

    /** The same options with worker threads that sleep as soon as a run ends instead of spinning for more work. */
    public RuntimeOptions withoutSpinning() {
        return new RuntimeOptions(device, threads, cudaDeviceId, gpuMemLimitBytes, cpuArena, false);
    }
}
