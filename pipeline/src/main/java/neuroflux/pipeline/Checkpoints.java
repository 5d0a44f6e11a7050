package neuroflux.pipeline;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import neuroflux.onnx.Tensor;
import neuroflux.pipeline.checkpoint.CheckpointStore;
import neuroflux.pipeline.checkpoint.RunProgress;
import neuroflux.stages.block.HeadedNetwork;

/**
 * The compress run's checkpoints: each one the network's values, the current block's training state (parameters,
 * statistics and optimizer state of its units and heads) and the run's progress. Written at the end of every epoch
 * of every block and when a block's caches are complete.
 */
final class Checkpoints {
    private final CheckpointStore store;
    private final RunProgress progress;
    /** When the run began by {@link System#nanoTime()}, moved back by a continued run's earlier wall time. */
    private final long runStartNanos;
    private String lastSaved;

    Checkpoints(CheckpointStore store, RunProgress progress, long runStartNanos) {
        this.store = store;
        this.progress = progress;
        this.runStartNanos = runStartNanos;
    }

    RunProgress progress() {
        return progress;
    }

    Path dir() {
        return store.dir();
    }

    /** What the last checkpoint written in this process holds, or null where none was. */
    String lastSaved() {
        return lastSaved;
    }

    /** Writes a checkpoint of the network, the block's state (empty between blocks) and the progress. */
    void save(HeadedNetwork net, Map<String, Tensor> blockState, String label) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        net.values().forEach((k, v) -> tensors.put(CompressPipeline.NET_VALUE + k, v));
        blockState.forEach((k, v) -> tensors.put(CompressPipeline.STEP_STATE + k, v));
        progress.elapsedSeconds = (System.nanoTime() - runStartNanos) / 1e9;
        // after writing, what it used (the first time: the compiler's memory for the code it runs) goes back to
        // the kernel rather than staying resident in the block's measured peak
        store.save(progress.toJson(), tensors, label);
        lastSaved = label;
    }
}
