package neuroflux.stages.models;

import java.util.Random;

/**
 * The initial values torchvision gives its networks, drawn from one seeded generator so that a seed fixes every
 * weight. Convolutions: Kaiming normal with fan_out and ReLU gain, as torchvision's ResNet, VGG and MobileNetV2
 * do. Linear layers: PyTorch's default, uniform in ±1/sqrt(fan_in) for weight and bias.
 */
final class ParameterInit {
    private final Random random;

    ParameterInit(long seed) {
        this.random = new Random(seed);
    }

    /**
     * Kaiming normal, mode fan_out: std sqrt(2 / fan_out). PyTorch's fan_out is the weight's first dimension times
     * its receptive field, whatever the groups, so a depthwise 3×3 conv over C channels has fan_out 9C.
     */
    float[] kaimingNormalFanOut(long outChannels, long receptiveField, long count) {
        double std = Math.sqrt(2.0 / (outChannels * receptiveField));
        float[] w = new float[Math.toIntExact(count)];
        for (int i = 0; i < w.length; i++) w[i] = (float) (random.nextGaussian() * std);
        return w;
    }

    /** Uniform in ±1/sqrt(fan_in): what nn.Linear's reset_parameters gives both weight and bias. */
    float[] linearDefault(long fanIn, long count) {
        double bound = 1.0 / Math.sqrt(fanIn);
        float[] w = new float[Math.toIntExact(count)];
        for (int i = 0; i < w.length; i++) w[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        return w;
    }

    static float[] filled(long count, float value) {
        float[] w = new float[Math.toIntExact(count)];
        java.util.Arrays.fill(w, value);
        return w;
    }
}
