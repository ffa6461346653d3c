package io.brizo.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.StorageDriver;
import jakarta.servlet.Filter;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * An application whose own filter in front of the API has no async support, so the binding falls
 * back to blocking writes and aborts by throwing out of the servlet: the container logs that once,
 * but the error page never runs and nothing is written after the download's bytes.
 */
class BlockingFallbackAbortTest {
    @TempDir
    Path dir;

    /** The application's beans: the failing store, and a filter without async support. */
    @Configuration(proxyBeanMethods = false)
    static class Beans {
        @Bean
        StorageDriver storeThatFailsHalfway() {
            return new UserBeansTest.FailingStore();
        }

        @Bean
        FilterRegistrationBean<Filter> filterWithoutAsyncSupport() {
            FilterRegistrationBean<Filter> registration =
                    new FilterRegistrationBean<>((request, response, chain) -> chain.doFilter(request, response));
            registration.setAsyncSupported(false);
            registration.addUrlPatterns("/api/v1/brizo/*");
            return registration;
        }
    }

    @Test
    void storageFailureMidwayAbortsWithoutTheErrorPageWhenWritesBlock() throws Exception {
        Publisher publisher = new Publisher(dir);
        Files.writeString(
                dir.resolve("assets.json"),
                Publisher.JSON.writeValueAsString(Map.of(
                        UserBeansTest.FAILING_DID,
                        Map.of("files", List.of(Map.of("url", "failing://secret-bucket/secret-key"))))));
        Files.writeString(
                dir.resolve("grants.json"),
                Publisher.JSON.writeValueAsString(List.of(Map.of(
                        "agreementId",
                        UserBeansTest.FAILING_ACCESS,
                        "did",
                        UserBeansTest.FAILING_DID,
                        "consumer",
                        publisher.consumer.address(),
                        "service",
                        "access"))));
        try (TestApp.Running app = TestApp.start(publisher.properties(), Beans.class);
                LogCapture logs = LogCapture.attach()) {
            HttpResponse<InputStream> r = publisher.http.send(
                    HttpRequest.newBuilder(publisher.consumeUri(app.base(), UserBeansTest.FAILING_ACCESS))
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode());
            long[] received = {0};
            assertThrows(IOException.class, () -> {
                try (InputStream body = r.body()) {
                    byte[] buffer = new byte[64 * 1024];
                    for (int n; (n = body.read(buffer)) >= 0; ) {
                        received[0] += n;
                    }
                }
            });
            // At most what the store gave (an abort may drop some of it in flight), never anything after.
            assertTrue(received[0] <= UserBeansTest.FAILING_SIZE / 2, "received " + received[0] + " bytes");
            String all = logs.text();
            // The library's WARN, and the container's own line about the exception it was thrown.
            assertTrue(logs.warningsAndErrors().size() <= 2, all);
            assertFalse(all.contains("HandlerExceptionResolver"), "the error page ran: " + all);
            assertFalse(all.contains("secret-bucket"), all);
            assertFalse(all.contains("\tat "), all);
        }
    }
}
