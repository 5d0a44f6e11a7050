package neuroflux.pipeline;

import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import neuroflux.pipeline.config.MicroProfileConfiguration;

/**
 * The Quarkus command-mode entry point of the packaged application (quarkus-run.jar, the container images):
 * runs one command line with options completed from MicroProfile Config, and exits with its status.
 */
@QuarkusMain
public class NeurofluxApplication implements QuarkusApplication {
    @Override
    public int run(String... args) {
        return Main.run(args, System.out, System.err, MicroProfileConfiguration.current());
    }
}
