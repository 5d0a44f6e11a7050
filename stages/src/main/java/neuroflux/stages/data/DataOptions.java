package neuroflux.stages.data;

import java.nio.file.Path;
import java.util.Arrays;
import neuroflux.onnx.BadInputException;

/**
 * What data a run uses and how it is split, augmented and generated. Start from {@link #defaults()} and change
 * fields with the {@code with...} methods; every value is checked when set, so a bad command-line value fails at
 * once with a {@link BadInputException}.
 *
 * @param name the source spec as on the command line: {@code fashion-mnist}, {@code cifar10}, {@code cifar100},
 *     {@code imagefolder:PATH} or {@code synthetic}
 * @param dataDir the folder searched first for the files of a published data set; null when not given
 * @param seed seeds every random choice: the validation split, the test split of an image folder, synthetic
 *     samples, batch order and augmentation
 * @param validation the validation split carved from the training set: a fraction when below 1, else a count
 * @param limitTrain the most training samples kept after the validation split is carved ({@link #NO_LIMIT}: all)
 * @param augment whether training batches get a random crop and a horizontal flip
 * @param cropPad the zero padding of the random crop in pixels; {@link #AUTO} picks it from the image size
 * @param flip whether augmentation also flips horizontally (off for data where left and right differ, like digits)
 * @param syntheticTrain number of synthetic training samples (validation is carved from these)
 * @param syntheticTest number of synthetic test samples
 * @param syntheticShape C x H x W of synthetic samples; null takes the model's input shape
 * @param syntheticClasses number of synthetic classes; 0 takes the model's class count
 */
public record DataOptions(
        String name,
        Path dataDir,
        long seed,
        double validation,
        int limitTrain,
        boolean augment,
        int cropPad,
        boolean flip,
        int syntheticTrain,
        int syntheticTest,
        long[] syntheticShape,
        int syntheticClasses) {

    public static final String DEFAULT_NAME = "fashion-mnist";
    public static final double DEFAULT_VALIDATION = 0.1;
    public static final int NO_LIMIT = Integer.MAX_VALUE;
    public static final int AUTO = -1;

    public DataOptions {
        if (name == null || name.isBlank()) throw new BadInputException("the data name is empty");
        if (Double.isNaN(validation) || validation <= 0
                || (validation >= 1 && (validation != Math.rint(validation) || validation > Integer.MAX_VALUE)))
            throw new BadInputException("the validation size must be a fraction between 0 and 1 or a whole count of"
                    + " at least 1, not " + validation);
        if (limitTrain <= 0) throw new BadInputException("--limit-train must be at least 1, not " + limitTrain);
        if (cropPad < AUTO) throw new BadInputException("the crop padding must be 0 or more, not " + cropPad);
        if (syntheticTrain <= 0 || syntheticTest <= 0)
            throw new BadInputException("synthetic data needs at least 1 training and 1 test sample, not "
                    + syntheticTrain + " and " + syntheticTest);
        if (syntheticShape != null) {
            if (syntheticShape.length != 3 || Arrays.stream(syntheticShape).anyMatch(d -> d <= 0 || d > 4096))
                throw new BadInputException("the synthetic sample shape must be C x H x W with positive sizes, not "
                        + Arrays.toString(syntheticShape));
            syntheticShape = syntheticShape.clone();
        }
        if (syntheticClasses < 0) throw new BadInputException("the synthetic class count must be positive");
    }

    /** Fashion-MNIST, seed 0, 10% validation, all training data, no augmentation, synthetic 1024/256 samples. */
    public static DataOptions defaults() {
        return new DataOptions(DEFAULT_NAME, null, 0, DEFAULT_VALIDATION, NO_LIMIT, false, AUTO, true, 1024, 256,
                null, 0);
    }

    @Override
    public long[] syntheticShape() {
        return syntheticShape == null ? null : syntheticShape.clone();
    }

    /** The augmentation training batches get for samples of {@code sampleShape} (C x H x W). */
    public Augmentation augmentation(long[] sampleShape) {
        if (!augment) return Augmentation.NONE;
        int pad = cropPad == AUTO ? Augmentation.defaultPad(sampleShape) : cropPad;
        return new Augmentation(pad, flip);
    }

    public DataOptions withName(String v) {
        return new DataOptions(v, dataDir, seed, validation, limitTrain, augment, cropPad, flip, syntheticTrain,
                syntheticTest, syntheticShape, syntheticClasses);
    }

    public DataOptions withDataDir(Path v) {
        return new DataOptions(name, v, seed, validation, limitTrain, augment, cropPad, flip, syntheticTrain,
                syntheticTest, syntheticShape, syntheticClasses);
    }

    public DataOptions withSeed(long v) {
        return new DataOptions(name, dataDir, v, validation, limitTrain, augment, cropPad, flip, syntheticTrain,
                syntheticTest, syntheticShape, syntheticClasses);
    }

    public DataOptions withValidation(double v) {
        return new DataOptions(name, dataDir, seed, v, limitTrain, augment, cropPad, flip, syntheticTrain,
                syntheticTest, syntheticShape, syntheticClasses);
    }

    public DataOptions withLimitTrain(int v) {
        return new DataOptions(name, dataDir, seed, validation, v, augment, cropPad, flip, syntheticTrain,
                syntheticTest, syntheticShape, syntheticClasses);
    }

    public DataOptions withAugment(boolean v) {
        return new DataOptions(name, dataDir, seed, validation, limitTrain, v, cropPad, flip, syntheticTrain,
                syntheticTest, syntheticShape, syntheticClasses);
    }

    public DataOptions withCropPad(int v) {
        return new DataOptions(name, dataDir, seed, validation, limitTrain, augment, v, flip, syntheticTrain,
                syntheticTest, syntheticShape, syntheticClasses);
    }

    public DataOptions withFlip(boolean v) {
        return new DataOptions(name, dataDir, seed, validation, limitTrain, augment, cropPad, v, syntheticTrain,
                syntheticTest, syntheticShape, syntheticClasses);
    }

    public DataOptions withSyntheticSizes(int train, int test) {
        return new DataOptions(name, dataDir, seed, validation, limitTrain, augment, cropPad, flip, train, test,
                syntheticShape, syntheticClasses);
    }

    public DataOptions withSyntheticShape(long[] v) {
        return new DataOptions(name, dataDir, seed, validation, limitTrain, augment, cropPad, flip, syntheticTrain,
                syntheticTest, v, syntheticClasses);
    }

    public DataOptions withSyntheticClasses(int v) {
        return new DataOptions(name, dataDir, seed, validation, limitTrain, augment, cropPad, flip, syntheticTrain,
                syntheticTest, syntheticShape, v);
    }
}
