package neuroflux.stages.models;

import neuroflux.onnx.Shapes;

/**
 * A value flowing through a network being built: its name in the graph and its shape per example (the batch
 * dimension left out), so [C, H, W] for feature maps and [F] once flattened.
 */
public record Activation(String name, long[] shape) {
    public Activation {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long channels() {
        return shape[0];
    }

    public boolean isFeatureMap() {
        return shape.length == 3;
    }

    public long height() {
        return shape[1];
    }

    public long width() {
        return shape[2];
    }

    @Override
    public String toString() {
        return name + "[" + Shapes.format(shape) + "]";
    }
}
