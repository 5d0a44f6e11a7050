package neuroflux.stages.data;

/** What a source delivers: its training images and its test images (null when the source has no test set). */
record SourceImages(RawImages train, RawImages test) {}
