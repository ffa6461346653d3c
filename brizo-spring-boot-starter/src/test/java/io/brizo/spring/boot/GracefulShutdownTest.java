package io.brizo.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.Brizo;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spring Boot's graceful shutdown (the default since 3.4) with a download in flight: the server
 * stops taking connections, the download finishes with every byte, and only then is the facade
 * closed.
 */
class GracefulShutdownTest {
    static final int SIZE = 48 << 20;

    @TempDir
    Path dir;

    @Test
    void downloadInFlightFinishesWithEveryByteWhileTheApplicationShutsDown() throws Exception {
        Publisher publisher = new Publisher(dir);
        // Larger than the socket buffers, so the server is still writing when the shutdown starts.
        byte[] large = new byte[SIZE];
        new Random(11).nextBytes(large);
        Files.write(publisher.data.resolve("large.bin"), large);
        Files.writeString(
                dir.resolve("assets.json"),
                Publisher.JSON.writeValueAsString(Map.of(
                        Publisher.BINARY_DID,
                        Map.of(
                                "files",
                                List.of(Map.of(
                                        "url",
                                        publisher
                                                .data
                                                .resolve("large.bin")
                                                .toUri()
                                                .toString()))))));

        TestApp.Running app = TestApp.start(publisher.properties());
        int port = app.base().getPort();
        HttpResponse<InputStream> r = publisher.http.send(
                HttpRequest.newBuilder(publisher.consumeUri(app.base(), Publisher.BINARY_ACCESS))
                        .timeout(Duration.ofSeconds(60))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        try (InputStream body = r.body()) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            long received = body.readNBytes(buffer, 0, buffer.length);
            sha.update(buffer, 0, (int) received);

            CompletableFuture<Void> shutdown = CompletableFuture.runAsync(app::close);
            awaitRefused(port);
            assertTrue(app.bean(Brizo.class).storageDriverNames().contains("file"));
            for (int n; (n = body.read(buffer)) >= 0; ) {
                sha.update(buffer, 0, n);
                received += n;
            }
            assertEquals(SIZE, received);
            assertEquals(Publisher.sha256(large), HexFormat.of().formatHex(sha.digest()));
            shutdown.get(60, TimeUnit.SECONDS);
        }
        assertTrue(!app.context().isActive(), "the context closed after the download");
    }

    /** Waits until the port refuses connections: the graceful shutdown has begun. */
    private static void awaitRefused(int port) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            } catch (ConnectException refused) {
                return;
            } catch (IOException other) {
                // Try again.
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(), "still accepting");
    }
}
