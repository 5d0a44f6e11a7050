package neuroflux.stages.importer;

import java.nio.file.Path;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Graph;
import neuroflux.onnx.OnnxModels;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.ShapeInference;

/**
 * The first stage: reads an ONNX CNN classifier, checks that neuroflux can work with it, and normalises it for
 * training.
 *
 * <p>Checks, each a {@code BadInputException} with one line: a readable ONNX file (see {@link OnnxModels}), a
 * default-domain opset from 11 to 22 and no other operator domain, only supported operators (naming the first
 * node that is not), no node reading a value nobody writes, no cycle, exactly one non-initializer input that is a
 * float N×C×H×W image batch, exactly one output that is float [N, K] logits with K ≥ 2, and no absurd sizes.
 *
 * <p>A model file can come from anywhere, so reading it must not be a way to crash, hang or fool neuroflux: the
 * file's structure is bounded before it is parsed, external data is read only from regular files inside the
 * model's folder, attributes of the wrong kind and shape arithmetic that overflows are rejected naming the node,
 * and every pass here is linear in the graph's size. {@code ImporterFuzzTest} feeds thousands of damaged models
 * through this class to keep it so.
 *
 * <p>Normalisation: Constant nodes become initializers; parameters the exporter shared through Identity nodes
 * or by reading one initializer from several parameter slots get their own copies ({@link ParameterUntying});
 * nodes are put in topological order and given unique names; the batch dimension becomes symbolic and shape
 * arithmetic that does not depend on the batch is folded ({@link BatchGenericFolding}).
 */
public final class ModelImporter {
    private ModelImporter() {}

    public static ImportedModel load(Path modelFile) {
        Graph g = OnnxModels.read(modelFile);
        ModelChecks.opsets(g);
        ModelChecks.operators(g);
        long[] sample = ModelChecks.imageInput(g);
        String outputName = ModelChecks.singleOutput(g);
        String inputName = g.inputs().get(0).name();

        g.sortTopologically();
        ConstantsToInitializers.apply(g);
        ParameterUntying.apply(g);
        NodeNames.makeUnique(g);
        long declaredBatch = g.inputs().get(0).shape()[0];
        symbolicBatch(g, sample);

        BatchGenericFolding.Result folded;
        int classes;
        try {
            folded = BatchGenericFolding.apply(g, inputName);
            ModelChecks.sizes(folded.atFirst(), BatchGenericFolding.FIRST_BATCH);
            classes = ModelChecks.classifierOutput(folded.atFirst(), BatchGenericFolding.FIRST_BATCH);
            ModelChecks.classifierOutput(folded.atSecond(), BatchGenericFolding.SECOND_BATCH);
        } catch (BadInputException e) {
            throw explainFixedBatch(g, inputName, declaredBatch, e);
        }
        return new ImportedModel(modelFile, folded.generic(), inputName, sample, outputName, classes);
    }

    /** The batch is the first dimension of the input and of the output, whatever the file declares. */
    private static void symbolicBatch(Graph g, long[] sample) {
        ValueInfo in = g.inputs().get(0);
        g.inputs().set(0, in.withShape(new long[] {-1, sample[0], sample[1], sample[2]}));
        ValueInfo out = g.outputs().get(0);
        if (out.shape() != null && out.shape().length > 0) {
            g.outputs().set(0, out.withShape(Shapes.withBatch(out.shape(), -1)));
        }
    }

    /**
     * A model exported with a fixed batch (a Reshape to [1, -1], say) fails at other batch sizes with a message
     * about some inner node; if it works at its declared batch, say what the real problem is.
     */
    private static BadInputException explainFixedBatch(Graph g, String inputName, long declaredBatch,
                                                       BadInputException failure) {
        if (declaredBatch < 1) return failure;
        try {
            Graph at = BatchGenericFolding.atBatch(g, inputName, declaredBatch);
            ShapeInference.infer(at);
            ModelChecks.classifierOutput(at, declaredBatch);
        } catch (BadInputException e) {
            return failure;
        }
        return new BadInputException("the model works only at the batch size it was exported with ("
                + declaredBatch + "); re-export it with a dynamic batch dimension (at other sizes: "
                + failure.getMessage() + ")", failure);
    }
}
