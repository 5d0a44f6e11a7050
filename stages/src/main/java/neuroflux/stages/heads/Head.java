package neuroflux.stages.heads;

import java.util.List;

/**
 * An auxiliary classifier appended to a graph after a unit.
 *
 * @param name the prefix of all its values, nodes and parameters
 * @param input the unit output it reads
 * @param logits its output, {@code [N, classes]}
 * @param filters the filters of its convolution
 * @param pooling how it pools to its grid
 * @param parameterNames its trainable parameters: convolution weight, batch-norm scale and bias, classifier weight
 *        and bias
 * @param runningStatisticNames its batch-norm running mean and variance (state, not parameters)
 * @param parameterCount the number of trainable parameters (running statistics not included)
 * @param activationBytesPerSample its activation memory per sample as the width rule counts it (predicted)
 * @param multiplyAddsPerSample its forward multiply-adds per sample (convolution and classifier)
 */
public record Head(String name, String input, String logits, int filters, HeadPooling pooling,
                   List<String> parameterNames, List<String> runningStatisticNames, long parameterCount,
                   long activationBytesPerSample, long multiplyAddsPerSample) {
    public Head {
        parameterNames = List.copyOf(parameterNames);
        runningStatisticNames = List.copyOf(runningStatisticNames);
    }

    public String describe() {
        return "head " + name + " on " + input + ": " + filters + " filters, " + parameterCount + " parameters, "
                + multiplyAddsPerSample + " multiply-adds per sample, " + pooling.gridHeight() + "x"
                + pooling.gridWidth() + " grid";
    }
}
