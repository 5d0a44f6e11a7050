package neuroflux.pipeline.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import neuroflux.onnx.BadInputException;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.OptionGroup;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.junit.jupiter.api.Test;

class ConfiguredArgumentsTest {
    /** Options shaped like those of the pipeline's commands. */
    private static Options options() {
        Options o = new Options()
                .addOption(Option.builder().longOpt("budget").hasArg().required().get())
                .addOption(Option.builder().longOpt("cache-dtype").hasArg().get())
                .addOption(Option.builder("e").longOpt("epochs").hasArg().get())
                .addOption(Option.builder().longOpt("exits").hasArgs().get())
                .addOption(Option.builder().longOpt("fp16").get())
                .addOption(Option.builder("q").get());
        OptionGroup device = new OptionGroup();
        device.addOption(Option.builder().longOpt("cpu").get());
        device.addOption(Option.builder().longOpt("gpu").hasArg().get());
        return o.addOptionGroup(device);
    }

    private static CommandLine parse(String[] args, Map<String, String> config) throws ParseException {
        return parse(args, config, ConfiguredArguments.MODEL_KEY);
    }

    private static CommandLine parse(String[] args, Map<String, String> config, String positionalKey)
            throws ParseException {
        ConfiguredArguments completed = ConfiguredArguments.complete(options(), positionalKey, args,
                Configuration.of(config));
        return new DefaultParser().parse(options(), completed.arguments());
    }

    @Test
    void environmentNamesFollowQuarkus() {
        assertEquals("NEUROFLUX_BUDGET", Configuration.environmentName("neuroflux.budget"));
        assertEquals("NEUROFLUX_CACHE_DTYPE", Configuration.environmentName("neuroflux.cache-dtype"));
    }

    @Test
    void anOptionTheCommandLineLacksComesFromConfigurationByPropertyOrEnvironmentName() throws Exception {
        CommandLine line = parse(new String[] {"m.onnx"}, Map.of("neuroflux.budget", "64MiB",
                "NEUROFLUX_CACHE_DTYPE", "float16", "NEUROFLUX_EPOCHS", "3"));
        assertEquals("64MiB", line.getOptionValue("budget"));
        assertEquals("float16", line.getOptionValue("cache-dtype"));
        assertEquals("3", line.getOptionValue("epochs"));
        assertEquals(List.of("m.onnx"), line.getArgList());
    }

    @Test
    void theCommandLineWinsHoweverItSpellsTheOption() throws Exception {
        Map<String, String> config = Map.of("neuroflux.budget", "1GiB", "neuroflux.epochs", "9");
        for (String[] args : new String[][] {
                {"--budget", "64MiB", "-e", "2"}, {"--budget=64MiB", "--epochs=2"}, {"--bud", "64MiB", "-e2"}}) {
            CommandLine line = parse(args, config);
            assertEquals("64MiB", line.getOptionValue("budget"), String.join(" ", args));
            assertArrayEquals(new String[] {"2"}, line.getOptionValues("epochs"), String.join(" ", args));
        }
    }

    @Test
    void aRequiredOptionMayComeFromConfigurationButMustComeFromSomewhere() throws Exception {
        assertEquals("8MiB", parse(new String[0], Map.of("NEUROFLUX_BUDGET", "8MiB")).getOptionValue("budget"));
        assertThrows(ParseException.class, () -> parse(new String[0], Map.of()));
    }

    @Test
    void flagsTakeTrueOrFalse() throws Exception {
        assertTrue(parse(new String[] {"--budget=1"}, Map.of("NEUROFLUX_FP16", "TRUE")).hasOption("fp16"));
        assertFalse(parse(new String[] {"--budget=1"}, Map.of("NEUROFLUX_FP16", "false")).hasOption("fp16"));
        BadInputException e = assertThrows(BadInputException.class,
                () -> parse(new String[] {"--budget=1"}, Map.of("NEUROFLUX_FP16", "yes")));
        assertTrue(e.getMessage().contains("NEUROFLUX_FP16") && e.getMessage().contains("'yes'"), e.getMessage());
    }

    @Test
    void valuesThatLookLikeOptionsStayValues() throws Exception {
        CommandLine line = parse(new String[] {"--budget=1"}, Map.of("neuroflux.epochs", "-1",
                "neuroflux.model", "-odd-name.onnx"));
        assertEquals("-1", line.getOptionValue("epochs"));
        assertEquals(List.of("-odd-name.onnx"), line.getArgList());
    }

    @Test
    void optionsWithSeveralValuesSplitOnCommasAndDoNotSwallowTheModel() throws Exception {
        CommandLine line = parse(new String[] {"--budget=1"}, Map.of("neuroflux.exits", "0.5, 0.8",
                "neuroflux.model", "m.onnx"));
        assertArrayEquals(new String[] {"0.5", "0.8"}, line.getOptionValues("exits"));
        assertEquals(List.of("m.onnx"), line.getArgList());
        // a user's own several-valued option followed by a configured one
        line = parse(new String[] {"--exits", "0.3", "0.6"}, Map.of("neuroflux.budget", "1"));
        assertArrayEquals(new String[] {"0.3", "0.6"}, line.getOptionValues("exits"));
        assertEquals("1", line.getOptionValue("budget"));
    }

    @Test
    void theModelComesFromConfigurationOnlyWhenNoPositionalArgumentIsGivenAndTheCommandTakesOne()
            throws Exception {
        Map<String, String> config = Map.of("NEUROFLUX_MODEL", "/data/configured.onnx", "neuroflux.budget", "1");
        assertEquals(List.of("/data/configured.onnx"), parse(new String[0], config).getArgList());
        assertEquals(List.of("given.onnx"), parse(new String[] {"given.onnx"}, config).getArgList());
        assertEquals(List.of("after.onnx"), parse(new String[] {"--", "after.onnx"}, config).getArgList());
        assertEquals(List.of(), parse(new String[0], config, null).getArgList());
    }

    @Test
    void aCommandWithAModelOptionTakesTheModelThroughItAndNotAsAPositionalArgument() throws Exception {
        Options withModel = options().addOption(Option.builder().longOpt("model").hasArg().get());
        ConfiguredArguments completed = ConfiguredArguments.complete(withModel, ConfiguredArguments.MODEL_KEY,
                new String[] {"--budget=1"}, Configuration.of(Map.of("NEUROFLUX_MODEL", "m.onnx")));
        CommandLine line = new DefaultParser().parse(withModel, completed.arguments());
        assertEquals("m.onnx", line.getOptionValue("model"));
        assertEquals(List.of(), line.getArgList());
    }

    @Test
    void anOptionOfAGroupIsNotConfiguredWhenTheCommandLineChoseAnotherOfIt() throws Exception {
        CommandLine line = parse(new String[] {"--budget=1", "--cpu"}, Map.of("NEUROFLUX_GPU", "0"));
        assertTrue(line.hasOption("cpu"));
        assertFalse(line.hasOption("gpu"));
        assertEquals("0", parse(new String[] {"--budget=1"}, Map.of("NEUROFLUX_GPU", "0")).getOptionValue("gpu"));
    }

    @Test
    void unknownKeysEmptyValuesAndShortOnlyOptionsAreIgnored() throws Exception {
        ConfiguredArguments completed = ConfiguredArguments.complete(options(), ConfiguredArguments.MODEL_KEY,
                new String[] {"--budget=1", "m.onnx"},
                Configuration.of(Map.of("neuroflux.no-such-option", "x", "NEUROFLUX_EPOCHS", "", "neuroflux.q",
                        "true", "neuroflux.help", "true")));
        assertArrayEquals(new String[] {"--budget=1", "m.onnx"}, completed.arguments());
        assertEquals(List.of(), completed.keys());
    }

    @Test
    void itReportsWhichKeysTookPart() throws Exception {
        ConfiguredArguments completed = ConfiguredArguments.complete(options(), ConfiguredArguments.MODEL_KEY,
                new String[0], Configuration.of(Map.of("NEUROFLUX_BUDGET", "1", "NEUROFLUX_MODEL", "m.onnx")));
        assertEquals(List.of("neuroflux.budget", "neuroflux.model"), completed.keys());
    }

    @Test
    void aMalformedCommandLineIsStillReportedAsSuch() {
        assertThrows(ParseException.class, () -> parse(new String[] {"--no-such-option"}, Map.of()));
        assertThrows(ParseException.class, () -> parse(new String[] {"--budget"}, Map.of()));
    }
}
