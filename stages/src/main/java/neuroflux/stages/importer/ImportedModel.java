package neuroflux.stages.importer;

import java.nio.file.Path;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.ShapeInference;

/**
 * A model ready for the pipeline: its normalised graph with a symbolic batch dimension (the input is
 * [-1, C, H, W], the output [-1, classes]), the names of its image input and logits output, and the sample shape.
 * The graph is the importer's: stages that change a graph work on {@link #atBatch} copies or on their own copy.
 */
public record ImportedModel(Path source, Graph graph, String inputName, long[] sampleShape, String outputName,
                            int classes) {
    public ImportedModel {
        sampleShape = sampleShape.clone();
    }

    @Override
    public long[] sampleShape() {
        return sampleShape.clone();
    }

    /** The input shape for a batch: [batch, C, H, W]. */
    public long[] inputShape(long batch) {
        return new long[] {batch, sampleShape[0], sampleShape[1], sampleShape[2]};
    }

    /** A copy of the graph whose input is [batch, C, H, W], with shape arithmetic folded and every shape inferred. */
    public Graph atBatch(long batch) {
        if (batch < 1) throw new IllegalArgumentException("batch size must be positive, not " + batch);
        Graph g = graph.copy();
        for (int i = 0; i < g.inputs().size(); i++) {
            ValueInfo in = g.inputs().get(i);
            if (in.name().equals(inputName)) g.inputs().set(i, in.withShape(inputShape(batch)));
        }
        ShapeInference.infer(g);
        return g;
    }

    @Override
    public String toString() {
        return "ImportedModel[" + source + ": " + inputName + " N×" + Shapes.format(sampleShape) + " -> " + outputName
                + " N×" + classes + "]";
    }
}
