package io.brizo.spring.boot;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot web application as a publisher writes one: auto-configuration, a controller of its
 * own at its root, and Brizo from the starter. Tests start it on 127.0.0.1 and a free port.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(TestApp.Root.class)
class TestApp {
    /** The application's own root, which the API's service description must not take. */
    @RestController
    static class Root {
        @GetMapping("/")
        String root() {
            return "the application's own root";
        }
    }

    /** A started application and where it listens. */
    record Running(ConfigurableApplicationContext context, URI base) implements AutoCloseable {
        @Override
        public void close() {
            context.close();
        }

        <T> T bean(Class<T> type) {
            return context.getBean(type);
        }
    }

    /**
     * Starts the application with {@code properties} (beside 127.0.0.1, a free port and no
     * banner) and {@code sources} (further configuration classes, such as the test's own beans).
     */
    static Running start(Map<String, Object> properties, Class<?>... sources) {
        Map<String, Object> all = new HashMap<>();
        all.put("server.address", "127.0.0.1");
        all.put("server.port", "0");
        all.put("spring.main.banner-mode", "off");
        all.putAll(properties);
        Class<?>[] classes = new Class<?>[sources.length + 1];
        classes[0] = TestApp.class;
        System.arraycopy(sources, 0, classes, 1, sources.length);
        ConfigurableApplicationContext context =
                new SpringApplicationBuilder(classes).properties(all).run();
        String port = context.getEnvironment().getProperty("local.server.port");
        return new Running(context, URI.create("http://127.0.0.1:" + port));
    }
}
