package io.brizo.examples.spring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A publisher's Spring Boot application: Brizo's consume and compute API comes from the starter and
 * the {@code brizo.*} properties of application.yml. Run without {@code brizo.assets} set, it
 * first writes the demo's dataset, a published algorithm and development grants for one consumer
 * into a fresh directory and serves those.
 */
@SpringBootApplication
public class SampleApplication {
    /** Starts the application; {@code --sample.consumer=0x...} names the consumer of the demo grants. */
    public static void main(String[] args) throws IOException {
        SpringApplication application = new SpringApplication(SampleApplication.class);
        if (System.getenv("BRIZO_ASSETS") == null && !String.join(" ", args).contains("--brizo.assets")) {
            Path dir = Files.createTempDirectory("brizo-sample");
            application.setDefaultProperties(SampleData.write(dir, SampleData.consumer(args)));
        }
        application.run(args);
    }
}
