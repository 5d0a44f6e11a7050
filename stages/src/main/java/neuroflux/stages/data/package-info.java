/**
 * The data stage: loads labelled images, splits and normalises them, and cuts them into batches.
 *
 * <pre>{@code
 * DataOptions options = DataOptions.defaults().withName("cifar10").withDataDir(dir).withAugment(true);
 * DataSplits splits = DataSources.load(options, new long[] {3, 32, 32}, 10);   // the model's C x H x W, classes
 * BatchLoader train = BatchLoader.training(splits.train(), 128, options.seed(),
 *         options.augmentation(splits.train().sampleShape()));
 * for (Batch b : train.epoch(epoch)) ...                                        // b.images(), b.labels(), b.size()
 * for (Batch b : BatchLoader.evaluation(splits.test(), 256).epoch(0)) ...
 * }</pre>
 *
 * <p>Sources ({@link neuroflux.stages.data.DataSources#KNOWN}): {@code fashion-mnist} (IDX files, looked for in the
 * data dir, {@code $NEUROFLUX_DATA}, then {@code /usr/share/datasets/fashion-mnist}), {@code cifar10} and
 * {@code cifar100} (binary versions), {@code imagefolder:PATH} ({@code PATH/train/<class>/*.png}, optional
 * {@code PATH/test}) and {@code synthetic}. Images are kept as bytes and normalised per channel, with the training
 * split's statistics, when a sample is copied. Every random choice follows from the seed.
 */
package neuroflux.stages.data;
