package neuroflux.stages.models;

import java.util.List;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Graph;

/**
 * The networks neuroflux can create from scratch, freshly initialised, for a given input size and class count:
 * VGG (11, 16, 19; with BN), ResNet (18, 34) and MobileNetV2, all in their small-image (CIFAR) forms.
 */
public final class ModelZoo {
    /** The names a user can give; MobileNetV2 also takes a width multiplier, {@code mobilenet_v2:0.5}. */
    public static final List<String> NAMES = List.of("vgg11", "vgg16", "vgg19", "resnet18", "resnet34",
            "mobilenet_v2");
    private static final String MOBILENET_V2 = "mobilenet_v2";
    /** Beyond this the widest layers grow past what Java arrays hold and far past any memory budget. */
    private static final double MAX_WIDTH = 4.0;

    private ModelZoo() {}

    /**
     * A new network named {@code name}, taking float [batch, C, H, W] as {@code input} and giving float
     * [batch, classes] as {@code logits}. The same seed gives the same weights.
     */
    public static Graph build(String name, long[] inputChw, int classes, long seed) {
        if (inputChw.length != 3 || inputChw[0] <= 0 || inputChw[1] <= 0 || inputChw[2] <= 0) {
            throw new BadInputException("the input must be three positive dimensions C, H, W, got "
                    + java.util.Arrays.toString(inputChw));
        }
        if (classes <= 0) throw new BadInputException("the number of classes must be positive, got " + classes);
        return switch (name) {
            case "vgg11" -> Vgg.build(name, Vgg.VGG11, inputChw, classes, seed);
            case "vgg16" -> Vgg.build(name, Vgg.VGG16, inputChw, classes, seed);
            case "vgg19" -> Vgg.build(name, Vgg.VGG19, inputChw, classes, seed);
            case "resnet18" -> ResNet.build(name, ResNet.RESNET18, inputChw, classes, seed);
            case "resnet34" -> ResNet.build(name, ResNet.RESNET34, inputChw, classes, seed);
            case MOBILENET_V2 -> MobileNetV2.build(name, 1.0, inputChw, classes, seed);
            default -> {
                if (name.startsWith(MOBILENET_V2 + ":")) {
                    double width = widthMultiplier(name.substring(MOBILENET_V2.length() + 1));
                    yield MobileNetV2.build(name, width, inputChw, classes, seed);
                }
                throw new BadInputException("unknown model '" + name + "' (models: " + String.join(", ", NAMES)
                        + "; mobilenet_v2 takes a width multiplier as in mobilenet_v2:0.5)");
            }
        };
    }

    private static double widthMultiplier(String text) {
        double width;
        try {
            width = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            width = Double.NaN;
        }
        if (!(width > 0 && width <= MAX_WIDTH)) {
            throw new BadInputException("the width multiplier of mobilenet_v2 must be a number in (0, " + MAX_WIDTH
                    + "], as in mobilenet_v2:0.5; got '" + text + "'");
        }
        return width;
    }
}
