package neuroflux.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Graph;
import neuroflux.onnx.OnnxModels;
import neuroflux.stages.block.HeadedNetwork;
import neuroflux.stages.data.DataOptions;
import neuroflux.stages.data.DataSources;
import neuroflux.stages.data.DataSplits;
import neuroflux.stages.heads.AuxiliaryHeads;
import neuroflux.stages.heads.HeadWidthRule;
import neuroflux.stages.importer.ImportedModel;
import neuroflux.stages.importer.ModelImporter;
import neuroflux.stages.models.ModelZoo;

/**
 * The model and the data a run works on, and the model cut into units with their exits: the first three stages
 * (import, data, partition and heads), shared by profile, plan and compress.
 *
 * @param modelFile the ONNX file imported (the built-in default is written to a file first)
 * @param builtIn whether the model is the built-in default rather than a user's file
 */
public record Inputs(Path modelFile, boolean builtIn, ImportedModel model, DataSplits data, HeadedNetwork network) {
    /** The network built when a user gives no model: VGG-11 for the data's shape. */
    public static final String DEFAULT_MODEL = "vgg11";

    /**
     * Imports {@code modelFile} (or, where it is null, builds {@link #DEFAULT_MODEL} for the data and writes it to
     * {@code defaultModelFile}), loads the data for it, partitions it and appends adaptive heads.
     */
    public static Inputs load(Path modelFile, DataOptions dataOptions, long seed, Path defaultModelFile) {
        return load(modelFile, dataOptions, seed, defaultModelFile, HeadWidthRule.adaptive());
    }

    /** {@link #load} with another rule for the heads' widths (classic local learning's fixed heads). */
    public static Inputs load(Path modelFile, DataOptions dataOptions, long seed, Path defaultModelFile,
                              HeadWidthRule headWidths) {
        boolean builtIn = modelFile == null;
        if (builtIn) {
            DataSplits probe = DataSources.load(dataOptions, null, 0);
            Graph g = ModelZoo.build(DEFAULT_MODEL, probe.train().sampleShape(), probe.train().classes(), seed);
            try {
                Path parent = defaultModelFile.toAbsolutePath().getParent();
                if (parent != null) Files.createDirectories(parent);
                OnnxModels.write(g, defaultModelFile);
            } catch (IOException e) {
                throw new BadInputException("cannot write the default model to " + defaultModelFile + ": " + e);
            }
            modelFile = defaultModelFile;
        }
        ImportedModel model = ModelImporter.load(modelFile);
        DataSplits data = DataSources.load(dataOptions, model.sampleShape(), model.classes());
        HeadedNetwork network = HeadedNetwork.build(model, new AuxiliaryHeads(headWidths, seed));
        return new Inputs(modelFile, builtIn, model, data, network);
    }

    /** How the model is named in reports: the file, or the built-in default's name. */
    public String modelName() {
        return builtIn ? DEFAULT_MODEL + " (built-in, " + modelFile + ")" : modelFile.toString();
    }
}
