package neuroflux.pipeline.config;

import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The application's MicroProfile Config as a {@link Configuration}: under Quarkus that is, highest first, system
 * properties, environment variables ({@code NEUROFLUX_BUDGET}), a {@code .env} file and
 * {@code config/application.properties} in the working directory, and the packaged application.properties.
 */
public final class MicroProfileConfiguration implements Configuration {
    private final Config config;

    private MicroProfileConfiguration(Config config) {
        this.config = config;
    }

    /** The configuration of the running application. */
    public static Configuration current() {
        return new MicroProfileConfiguration(ConfigProvider.getConfig());
    }

    @Override
    public Optional<String> value(String key) {
        return config.getOptionalValue(key, String.class).filter(v -> !v.isEmpty());
    }
}
