package neuroflux.stages.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import neuroflux.onnx.BadInputException;

/**
 * Loads the data a run names and splits it: the entry point of the data stage.
 *
 * <p>Splits: a validation split is carved from the source's training set by the seed ({@link DataOptions#validation()}
 * samples, a fraction or a count); {@link DataOptions#limitTrain()} then limits only what remains for training (a
 * random subset of it, by the same seed), never validation or test. An image folder without a {@code test} folder
 * first gives {@value #CARVED_TEST_FRACTION} of its images, by the seed, to a test split. Every split is normalised
 * per channel with the mean and standard deviation of the final training split.
 */
public final class DataSources {
    /** The source specs a user may give, as the command line shows them. */
    public static final List<String> KNOWN = List.of(FashionMnistSource.NAME, CifarSource.Variant.CIFAR10.name,
            CifarSource.Variant.CIFAR100.name, ImageFolderSource.PREFIX + "PATH", SyntheticSource.NAME);
    static final double CARVED_TEST_FRACTION = 0.2;
    private static final long VALIDATION_SALT = 0x7A11DL;
    private static final long TEST_SALT = 0x7E57L;
    private static final int DEFAULT_SYNTHETIC_CLASSES = 10;

    private DataSources() {}

    /**
     * Loads, splits and normalises the data {@code options} name, for a model whose input samples have shape
     * {@code sampleShape} (C x H x W; a size of 0 or less matches any, null skips the check) and which tells
     * {@code classes} classes apart (0 skips the check). Synthetic data takes its shape and class count from these
     * unless the options give them.
     *
     * @throws BadInputException when the data is missing, broken or does not fit the model
     */
    public static DataSplits load(DataOptions options, long[] sampleShape, int classes) {
        return load(options, sampleShape, classes, SearchPlaces.of(options));
    }

    static DataSplits load(DataOptions options, long[] sampleShape, int classes, SearchPlaces places) {
        if (sampleShape != null && sampleShape.length != 3)
            throw new IllegalArgumentException("a sample shape is C x H x W, not " + Arrays.toString(sampleShape));
        String spec = options.name().trim();
        SourceImages source = read(spec, options, sampleShape, classes, places);
        checkFits(spec, source.train(), sampleShape, classes);
        return split(spec, source, options);
    }

    private static SourceImages read(String spec, DataOptions options, long[] sampleShape, int classes,
            SearchPlaces places) {
        if (spec.regionMatches(true, 0, ImageFolderSource.PREFIX, 0, ImageFolderSource.PREFIX.length())) {
            String path = spec.substring(ImageFolderSource.PREFIX.length());
            if (path.isBlank()) throw new BadInputException("'" + spec + "' names no folder; write imagefolder:PATH");
            return ImageFolderSource.load(Path.of(path));
        }
        return switch (spec.toLowerCase(Locale.ROOT)) {
            case FashionMnistSource.NAME -> FashionMnistSource.load(places);
            case "cifar10" -> CifarSource.load(CifarSource.Variant.CIFAR10, places);
            case "cifar100" -> CifarSource.load(CifarSource.Variant.CIFAR100, places);
            case SyntheticSource.NAME -> SyntheticSource.generate(syntheticShape(options, sampleShape),
                    options.syntheticClasses() > 0 ? options.syntheticClasses()
                            : classes > 0 ? classes : DEFAULT_SYNTHETIC_CLASSES,
                    options.syntheticTrain(), options.syntheticTest(), options.seed());
            default -> throw new BadInputException("unknown data '" + spec + "' (known: " + String.join(", ", KNOWN)
                    + ")");
        };
    }

    private static long[] syntheticShape(DataOptions options, long[] sampleShape) {
        if (options.syntheticShape() != null) return options.syntheticShape();
        if (sampleShape != null && Arrays.stream(sampleShape).allMatch(d -> d > 0)) return sampleShape.clone();
        throw new BadInputException("synthetic data needs a sample shape C x H x W, and the model's input "
                + (sampleShape == null ? "is unknown" : "has open sizes " + shapeText(sampleShape))
                + "; give the synthetic shape in the options");
    }

    private static void checkFits(String spec, RawImages data, long[] sampleShape, int classes) {
        long[] shape = data.shape();
        if (sampleShape != null)
            for (int i = 0; i < 3; i++)
                if (sampleShape[i] > 0 && sampleShape[i] != shape[i])
                    throw new BadInputException("the data " + spec + " has samples of " + shapeText(shape)
                            + " (C x H x W) but the model takes " + shapeText(sampleShape));
        if (classes > 0 && data.classes() > classes)
            throw new BadInputException("the data " + spec + " has " + data.classes() + " classes but the model"
                    + " tells only " + classes + " apart");
    }

    private static DataSplits split(String spec, SourceImages source, DataOptions options) {
        RawImages train = source.train();
        int[] pool = allIndices(train.size());
        RawImages testImages = source.test();
        int[] test;
        if (testImages == null) {
            int[] shuffled = Shuffle.permutation(pool.length, random(options, TEST_SALT));
            int count = (int) Math.max(1, Math.round(pool.length * CARVED_TEST_FRACTION));
            if (count >= pool.length)
                throw new BadInputException("the data " + spec + " has only " + pool.length + " training images"
                        + " and no test set; too few to carve a test split from");
            testImages = train;
            test = sorted(Arrays.copyOfRange(shuffled, 0, count));
            pool = Arrays.copyOfRange(shuffled, count, shuffled.length);
        } else {
            test = allIndices(testImages.size());
        }
        if (test.length == 0) throw new BadInputException("the test set of " + spec + " is empty");

        int validationCount = validationCount(options.validation(), pool.length, spec);
        int[] shuffled = pool.clone();
        Arrays.sort(shuffled);  // the carve must not depend on how the pool came to be ordered
        Shuffle.inPlace(shuffled, random(options, VALIDATION_SALT));
        int[] validation = sorted(Arrays.copyOfRange(shuffled, 0, validationCount));
        int[] rest = Arrays.copyOfRange(shuffled, validationCount, shuffled.length);
        // rest is in random order already: a limit keeps its first samples, so a smaller limit keeps a subset of
        // what a larger one keeps
        int[] training = sorted(Arrays.copyOf(rest, Math.min(rest.length, options.limitTrain())));

        ChannelNormalization normalization = ChannelNormalization.of(train, training);
        return new DataSplits(spec, new NormalizedImages(train, training, normalization),
                new NormalizedImages(train, validation, normalization),
                new NormalizedImages(testImages, test, normalization));
    }

    /** The validation count {@code validation} means for {@code n} samples: a fraction (at least 1) or a count. */
    static int validationCount(double validation, int n, String spec) {
        int count = validation < 1 ? (int) Math.max(1, Math.round(validation * n)) : (int) validation;
        if (count >= n)
            throw new BadInputException("a validation split of " + count + " leaves none of the " + n
                    + " training samples of " + spec + " for training");
        return count;
    }

    private static SplittableRandom random(DataOptions options, long salt) {
        return new SplittableRandom(Seeds.derive(options.seed(), salt));
    }

    private static int[] allIndices(int n) {
        int[] a = new int[n];
        Arrays.setAll(a, i -> i);
        return a;
    }

    private static int[] sorted(int[] a) {
        Arrays.sort(a);
        return a;
    }

    static String shapeText(long[] shape) {
        return Arrays.stream(shape).mapToObj(d -> d > 0 ? Long.toString(d) : "?").collect(Collectors.joining("x"));
    }
}
