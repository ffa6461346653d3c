package io.brizo.spring.boot;

import static io.brizo.spring.boot.Publisher.json;
import static io.brizo.spring.boot.Publisher.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * An application that brings beans of its own: a storage driver for {@code file:} locations that
 * wins over the discovered file driver, and one whose store fails halfway through a download; and
 * the API mounted at a base path of its choice.
 */
class UserBeansTest {
    static final String BASE = "/publisher/brizo";
    static final String FROM_BEAN = "served by the application's own driver\n";
    static final String FAILING_DID = "did:op:" + "fa".repeat(32);
    static final String FAILING_ACCESS = "fa".repeat(32);
    static final long FAILING_SIZE = 4L << 20;

    @TempDir
    static Path dir;

    static Publisher publisher;
    static TestApp.Running app;

    /** The application's beans. */
    @Configuration(proxyBeanMethods = false)
    static class Beans {
        @Bean
        StorageDriver applicationsFileDriver() {
            return new StorageDriver() {
                @Override
                public String name() {
                    return "application-file";
                }

                @Override
                public boolean supports(URI location) {
                    return "file".equals(location.getScheme());
                }

                @Override
                public ObjectInfo stat(URI location) {
                    return ObjectInfo.builder(FROM_BEAN.length()).build();
                }

                @Override
                public StorageObject open(URI location, ByteRange range) {
                    byte[] all = FROM_BEAN.getBytes(StandardCharsets.UTF_8);
                    ByteRange.Slice slice = range.resolve(all.length);
                    byte[] part =
                            Arrays.copyOfRange(all, (int) slice.offset(), (int) (slice.offset() + slice.length()));
                    return new StorageObject(stat(location), slice, new ByteArrayInputStream(part));
                }
            };
        }

        @Bean
        StorageDriver storeThatFailsHalfway() {
            return new FailingStore();
        }
    }

    /**
     * A fault injector: serves {@code failing:} objects of {@link #FAILING_SIZE} bytes and throws
     * after half of them, as a store that dies mid-transfer would. No real store fails on demand.
     */
    static final class FailingStore implements StorageDriver {
        @Override
        public String name() {
            return "failing";
        }

        @Override
        public boolean supports(URI location) {
            return "failing".equals(location.getScheme());
        }

        @Override
        public ObjectInfo stat(URI location) {
            return ObjectInfo.builder(FAILING_SIZE).build();
        }

        @Override
        public StorageObject open(URI location, ByteRange range) {
            ByteRange.Slice slice = range.resolve(FAILING_SIZE);
            return new StorageObject(stat(location), slice, new InputStream() {
                long served;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (served >= FAILING_SIZE / 2) {
                        throw new IOException("the disk failed at failing://secret-bucket/secret-key");
                    }
                    int n = (int) Math.min(len, FAILING_SIZE / 2 - served);
                    Arrays.fill(b, off, off + n, (byte) 'x');
                    served += n;
                    return n;
                }
            });
        }
    }

    @BeforeAll
    static void start() throws Exception {
        publisher = new Publisher(dir);
        // One more asset, on the failing store.
        Map<String, Object> assets =
                Publisher.JSON.readValue(dir.resolve("assets.json").toFile(), Map.class);
        assets.put(FAILING_DID, Map.of("files", List.of(Map.of("url", "failing://secret-bucket/secret-key"))));
        Files.writeString(dir.resolve("assets.json"), Publisher.JSON.writeValueAsString(assets));
        List<Object> grants =
                Publisher.JSON.readValue(dir.resolve("grants.json").toFile(), List.class);
        grants.add(Map.of(
                "agreementId",
                FAILING_ACCESS,
                "did",
                FAILING_DID,
                "consumer",
                publisher.consumer.address(),
                "service",
                "access"));
        Files.writeString(dir.resolve("grants.json"), Publisher.JSON.writeValueAsString(grants));
        Map<String, Object> p = new HashMap<>(publisher.properties());
        p.put("brizo.http.base-path", BASE);
        app = TestApp.start(p, Beans.class);
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void applicationsStorageDriverBeanWinsOverTheDiscoveredOneForTheSameLocations() throws Exception {
        HttpResponse<byte[]> r = publisher.get(publisher.consumeUri(app.base(), BASE, Publisher.ACCESS));
        assertEquals(200, r.statusCode(), text(r));
        assertEquals(FROM_BEAN, text(r));
        HttpResponse<byte[]> description = publisher.get(URI.create(app.base() + BASE + "/"));
        assertEquals(
                "application-file",
                json(description).get("storageDrivers").get(0).asText(),
                text(description));
    }

    @Test
    void apiIsMountedAtTheConfiguredBasePathOnly() throws Exception {
        assertEquals(
                404,
                publisher
                        .get(publisher.consumeUri(app.base(), Publisher.ACCESS))
                        .statusCode());
        assertEquals(
                200,
                publisher
                        .get(publisher.consumeUri(app.base(), BASE, Publisher.ACCESS))
                        .statusCode());
    }

    @Test
    void storageFailureMidwayAbortsTheConnectionWithOneWarningAndNoErrorPage() throws Exception {
        List<ILoggingEvent> warnings;
        try (LogCapture logs = LogCapture.attach()) {
            HttpResponse<InputStream> r = publisher.http.send(
                    HttpRequest.newBuilder(publisher.consumeUri(app.base(), BASE, FAILING_ACCESS))
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode());
            assertEquals(
                    FAILING_SIZE, r.headers().firstValueAsLong("Content-Length").orElseThrow());
            long[] received = {0};
            IOException aborted = assertThrows(IOException.class, () -> {
                try (InputStream body = r.body()) {
                    byte[] buffer = new byte[64 * 1024];
                    for (int n; (n = body.read(buffer)) >= 0; ) {
                        received[0] += n;
                    }
                }
            });
            assertTrue(received[0] < FAILING_SIZE, "got " + received[0] + " bytes: " + aborted);
            // The server keeps serving after the abort.
            assertEquals(
                    200,
                    publisher
                            .get(publisher.consumeUri(app.base(), BASE, Publisher.ACCESS))
                            .statusCode());
            warnings = logs.warningsAndErrors();
            String all = logs.text();
            assertEquals(1, warnings.size(), all);
            assertEquals(ch.qos.logback.classic.Level.WARN, warnings.get(0).getLevel(), all);
            assertEquals(null, warnings.get(0).getThrowableProxy(), all);
            assertFalse(all.contains("secret-bucket"), all);
            assertFalse(all.contains("/error"), all);
        }
    }
}
