package neuroflux.onnx.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession.Result;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Graph;
import neuroflux.onnx.OnnxModels;
import neuroflux.onnx.Tensor;

/**
 * A thin layer over an ONNX Runtime session for one graph. Inputs and outputs are neuroflux tensors for
 * convenience; {@link #runOrt} keeps values in ONNX Runtime's own tensors for the training loop.
 */
public final class OrtSession implements AutoCloseable {
    private final OrtEnvironment env;
    private final ai.onnxruntime.OrtSession session;
    private final RuntimeOptions options;

    private OrtSession(OrtEnvironment env, ai.onnxruntime.OrtSession session, RuntimeOptions options) {
        this.env = env;
        this.session = session;
        this.options = options;
    }

    /**
     * Opens a session for a graph neuroflux built or compiled. ONNX Runtime refusing it is a bug of neuroflux, an
     * {@link IllegalStateException}; for a user's own model use {@link #openUserModel}.
     */
    public static OrtSession open(Graph graph, RuntimeOptions options) {
        return open(OnnxModels.toBytes(graph), options);
    }

    public static OrtSession open(byte[] model, RuntimeOptions options) {
        try {
            return create(model, options);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not load the graph: " + e.getMessage(), e);
        }
    }

    /**
     * Opens a session for a user's model as the importer left it. The importer checks much, but not everything
     * ONNX Runtime checks (attributes it does not read, limits of particular kernels), so ONNX Runtime may still
     * refuse a model that imported: that is the model's fault, a {@link BadInputException} naming it. Failures
     * of the runtime itself (an execution provider, the engine) remain {@link IllegalStateException}s.
     */
    public static OrtSession openUserModel(Graph graph, RuntimeOptions options, String modelName) {
        try {
            return create(OnnxModels.toBytes(graph), options);
        } catch (OrtException e) {
            if (isRuntimeFault(e.getCode())) {
                throw new IllegalStateException("ONNX Runtime failed to load " + modelName + ": " + e.getMessage(), e);
            }
            throw new BadInputException("ONNX Runtime refuses the model " + modelName + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens a user's model once on the CPU and closes it: a command calls this right after importing, so that a
     * model ONNX Runtime refuses is reported as such, naming the file, before stages build graphs from it (a
     * training step, a partition), where the same refusal would look like a bug of neuroflux.
     */
    public static void verifyUserModel(Graph graph, String modelName) {
        openUserModel(graph, RuntimeOptions.cpu(1), modelName).close();
    }

    private static OrtSession create(byte[] model, RuntimeOptions options) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (SessionOptions so = sessionOptions(options)) {
            return new OrtSession(env, env.createSession(model, so), options);
        }
    }

    /** Error codes that say the runtime failed, whatever the model; the others say the model is wrong. */
    static boolean isRuntimeFault(OrtException.OrtErrorCode code) {
        return code == OrtException.OrtErrorCode.ORT_EP_FAIL || code == OrtException.OrtErrorCode.ORT_ENGINE_ERROR
                || code == OrtException.OrtErrorCode.ORT_RUNTIME_EXCEPTION;
    }

    /**
     * Where set, every session writes ONNX Runtime's profile (each node's time, each run) to a JSON file in this
     * folder when it closes: where a step's time goes, per operator ({@code benchmarks/ort-profile-summary.py}
     * sums it). A diagnostic: the files grow with every step, so profile short runs.
     */
    public static final String PROFILE_VARIABLE = "NEUROFLUX_ORT_PROFILE";
    private static final AtomicInteger PROFILED = new AtomicInteger();
    /** ONNX Runtime's session option that lets intra-op workers spin after a run ("1", the default) or not. */
    static final String INTRA_OP_SPINNING = "session.intra_op.allow_spinning";

    private static void enableProfiling(SessionOptions so, Path folder) throws OrtException {
        try {
            Files.createDirectories(folder);
        } catch (java.io.IOException e) {
            throw new BadInputException(PROFILE_VARIABLE + "=" + folder + ": cannot create the folder: " + e.getMessage());
        }
        // ONNX Runtime adds the time to the prefix; the counter keeps sessions opened in the same second apart
        so.enableProfiling(folder.resolve("session-" + PROFILED.incrementAndGet()).toString());
    }

    static SessionOptions sessionOptions(RuntimeOptions options) throws OrtException {
        SessionOptions so = new SessionOptions();
        if (options.threads() > 0) so.setIntraOpNumThreads(options.threads());
        so.setInterOpNumThreads(1);
        so.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
        if (!options.spinning()) so.addConfigEntry(INTRA_OP_SPINNING, "0");
        String profile = System.getenv(PROFILE_VARIABLE);
        if (profile != null && !profile.isBlank()) enableProfiling(so, Path.of(profile));
        if (!options.cpuArena()) {
            so.setCPUArenaAllocator(false);
            so.setMemoryPatternOptimization(false);
        }
        if (options.device() == Device.CUDA) {
            if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
                so.close();
                throw new BadInputException("--device cuda: this build of ONNX Runtime has no CUDA execution provider"
                        + " (or no CUDA device is present); use --device cpu");
            }
            OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(options.cudaDeviceId());
            if (options.gpuMemLimitBytes() > 0) cuda.add("gpu_mem_limit", Long.toString(options.gpuMemLimitBytes()));
            try {
                so.addCUDA(cuda);
            } catch (OrtException e) {
                so.close();
                throw new BadInputException("--device cuda: the CUDA execution provider failed to start: "
                        + e.getMessage());
            }
        }
        return so;
    }

    public OrtEnvironment environment() {
        return env;
    }

    public RuntimeOptions options() {
        return options;
    }

    public java.util.Set<String> inputNames() {
        return session.getInputNames();
    }

    public java.util.Set<String> outputNames() {
        return session.getOutputNames();
    }

    /** Runs the graph on host tensors and returns every graph output as a host tensor. */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        Map<String, OnnxTensor> ort = new LinkedHashMap<>();
        // the inputs' native copies are freed when the run ends, not when a collection clears them
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            try {
                for (var e : inputs.entrySet()) ort.put(e.getKey(), OrtTensors.toOrt(env, e.getValue(), arena));
                try (Result r = session.run(ort)) {
                    Map<String, Tensor> out = new LinkedHashMap<>();
                    for (var e : r) out.put(e.getKey(), OrtTensors.fromOrt((OnnxTensor) e.getValue()));
                    return out;
                }
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
            } finally {
                ort.values().forEach(OnnxTensor::close);
            }
        }
    }

    /**
     * Runs on ONNX Runtime tensors without copying through Java arrays. The caller owns the returned result and
     * must close it (closing it closes its tensors).
     */
    public Result runOrt(Map<String, ? extends OnnxTensor> inputs, java.util.Set<String> outputs) {
        try {
            return session.run(inputs, outputs);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    static void closeAll(Iterable<? extends OnnxValue> values) {
        for (OnnxValue v : values) v.close();
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
