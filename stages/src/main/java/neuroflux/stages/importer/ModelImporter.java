package neuroflux.stages.importer;

import java.nio.file.Path;
import neuroflux.onnx.Graph;
import neuroflux.onnx.OnnxModels;
import neuroflux.onnx.ValueInfo;

/**
 * The first stage: reads an ONNX CNN classifier, checks that neuroflux can work with it, and normalises it for
 * training.
 *
 * <p>Checks, each a {@code BadInputException} with one line: a readable ONNX file (see {@link OnnxModels}), a
 * default-domain opset from 11 to 22 and no other operator domain, only supported operators (naming the first
 * node that is not), no node reading a value nobody writes, no cycle, exactly one non-initializer input that is a
 * float N×C×H×W image batch, exactly one output that is float [N, K] logits with K ≥ 2, and no absurd sizes.
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
        ValueInfo in = g.inputs().get(0);
        g.inputs().set(0, in.withShape(new long[] {-1, sample[0], sample[1], sample[2]}));

        BatchGenericFolding.Result folded = BatchGenericFolding.apply(g, inputName);
        ModelChecks.sizes(folded.atFirst(), BatchGenericFolding.FIRST_BATCH);
        int classes = ModelChecks.classifierOutput(folded.atFirst(), BatchGenericFolding.FIRST_BATCH);
        ModelChecks.classifierOutput(folded.atSecond(), BatchGenericFolding.SECOND_BATCH);
        return new ImportedModel(modelFile, folded.generic(), inputName, sample, outputName, classes);
    }
}
