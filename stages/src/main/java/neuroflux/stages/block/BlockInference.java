package neuroflux.stages.block;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import neuroflux.onnx.Graph;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.stages.cache.CacheWriter;
import neuroflux.stages.data.Batch;
import neuroflux.stages.data.BatchLoader;
import neuroflux.stages.data.Dataset;

/**
 * A trained block for inference (batch normalisation on running statistics): runs a data set through units
 * {@code first..last} once, writes the last unit's output to a cache where asked, and gives every exit's
 * predictions. This is the caching pass after a block has trained, and the evaluation of the block's exits.
 */
public final class BlockInference implements AutoCloseable {
    /** Each exit's predicted class per sample, in data set order, and its number of correct predictions. */
    public record Pass(int[][] predictions, long[] corrects, int samples) {
        public double accuracy(int exit) {
            return samples == 0 ? 0 : (double) corrects[exit] / samples;
        }
    }

    private final OrtSession session;
    private final int first;
    private final int last;
    private final String input;
    private final String blockOutput;
    private final List<String> logits = new ArrayList<>();

    public BlockInference(HeadedNetwork net, int first, int last, RuntimeOptions options) {
        Graph g = net.blockInference(first, last);
        this.first = first;
        this.last = last;
        this.input = g.inputs().getFirst().name();
        this.blockOutput = net.isLast(last) ? null : net.unit(last).outputName();
        for (int k = first; k <= last; k++) logits.add(net.exitLogits(k));
        this.session = OrtSession.open(g, options.withoutCpuArena());
    }

    /** Runs {@code data} in batches of {@code batch}; writes the block's output to {@code cache} unless null. */
    public Pass pass(Dataset data, int batch, CacheWriter cache) {
        int exits = logits.size();
        Set<String> outputs = new LinkedHashSet<>(logits);
        if (cache != null) {
            if (blockOutput == null) throw new IllegalStateException("the model's last block has no output to cache");
            outputs.add(blockOutput);
        }
        int sampleSize = data.sampleSize();
        // the batch buffer's native memory goes when the pass ends; a direct buffer would stay until a garbage
        // collection happened to run, inside the next block's measured peak
        try (Arena arena = Arena.ofConfined()) {
            FloatBuffer images = arena.allocate(4L * batch * sampleSize, 64).asByteBuffer()
                    .order(ByteOrder.nativeOrder()).asFloatBuffer();
            return pass(data, batch, cache, images, exits, outputs);
        }
    }

    private Pass pass(Dataset data, int batch, CacheWriter cache, FloatBuffer images, int exits,
                      Set<String> outputs) {
        int sampleSize = data.sampleSize();
        int[][] predictions = new int[exits][data.size()];
        long[] corrects = new long[exits];
        long[] sample = data.sampleShape();
        float[] cached = null;
        int at = 0;
        for (Batch b : BatchLoader.evaluation(data, batch).epoch(0)) {
            int n = b.size();
            images.clear();
            images.put(b.images(), 0, n * sampleSize).flip();
            long[] shape = {n, sample[0], sample[1], sample[2]};
            try (OnnxTensor x = OnnxTensor.createTensor(session.environment(), images, shape);
                 Result r = session.runOrt(Map.of(input, x), outputs)) {
                for (int k = first; k <= last; k++) UnitRuns.record(k);
                for (int e = 0; e < exits; e++) {
                    FloatBuffer out = ((OnnxTensor) r.get(logits.get(e)).orElseThrow()).getFloatBuffer();
                    int classes = out.remaining() / n;
                    for (int i = 0; i < n; i++) {
                        int best = 0;
                        for (int c = 1; c < classes; c++) {
                            if (out.get(i * classes + c) > out.get(i * classes + best)) best = c;
                        }
                        predictions[e][at + i] = best;
                        if (best == b.labels()[i]) corrects[e]++;
                    }
                }
                if (cache != null) {
                    FloatBuffer out = ((OnnxTensor) r.get(blockOutput).orElseThrow()).getFloatBuffer();
                    if (cached == null || cached.length < out.remaining()) cached = new float[out.remaining()];
                    out.get(cached, 0, out.remaining());
                    cache.append(cached, n, b.labels());
                }
            } catch (OrtException e) {
                throw new IllegalStateException("cannot create an inference input: " + e.getMessage(), e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the cache: " + e.getMessage(), e);
            }
            at += n;
        }
        return new Pass(predictions, corrects, data.size());
    }

    @Override
    public void close() {
        session.close();
    }
}
