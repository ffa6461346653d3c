package io.brizo.storage.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.StorageDriver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Failures Azurite cannot be made to produce: throttling, server errors and an unreachable
 * service. A small server of the test's own stands in for Azure and answers every request with
 * the status under test, as Azure does (with an {@code x-ms-error-code}), counting the requests so
 * the retries can be seen.
 */
class AzureFailureTest {
    private static final URI LOCATION = URI.create("https://devstoreaccount1.blob.core.windows.net/data/set.csv");

    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    // The SDK's retry policy repeats 429, 500 and 503 (and network errors); 502 and 504 it
    // leaves to the caller, so they are tried once and still reported as retryable.
    @ParameterizedTest(name = "HTTP {0} {1}")
    @CsvSource({
        "429, ServerBusy, UNAVAILABLE, 2",
        "503, ServerBusy, UNAVAILABLE, 2",
        "500, InternalError, UPSTREAM_FAILED, 2",
        "502, , UPSTREAM_FAILED, 1",
        "504, OperationTimedOut, UPSTREAM_FAILED, 1"
    })
    void throttlingAndServerErrorsAreRetriedThenReportedAsRetryable(int status, String code, ErrorKind kind, int tries)
            throws Exception {
        AtomicInteger requests = answering(status, code);
        try (StorageDriver driver = driver(endpoint(), 2)) {
            List<Runnable> calls = List.of(
                    () -> driver.stat(LOCATION),
                    () -> close(driver.open(LOCATION, ByteRange.of(0, 9))),
                    () -> driver.write(LOCATION, new ByteArrayInputStream(new byte[3]), 3, null));
            for (Runnable call : calls) {
                int before = requests.get();
                BrizoException e = assertThrows(BrizoException.class, call::run);
                assertEquals(kind, e.kind(), e::toString);
                assertTrue(e.retryable(), e::toString);
                assertTrue(e.getMessage().contains("HTTP " + status), e.getMessage());
                assertEquals(tries, requests.get() - before, "requests with AZURE_MAX_TRIES=2");
                assertRevealsNothing(e);
            }
        }
    }

    @Test
    void notFoundIsNotRetried() throws Exception {
        AtomicInteger requests = answering(404, "BlobNotFound");
        try (StorageDriver driver = driver(endpoint(), 3)) {
            BrizoException e = assertThrows(BrizoException.class, () -> close(driver.open(LOCATION, ByteRange.all())));
            assertEquals(ErrorKind.NOT_FOUND, e.kind());
            assertFalse(e.retryable());
            assertEquals(1, requests.get());
        }
    }

    @Test
    void unreachableServiceIsUnavailableAndRetryable() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (StorageDriver driver = driver("http://127.0.0.1:" + closedPort + "/devstoreaccount1", 1)) {
            for (Runnable call : List.<Runnable>of(
                    () -> driver.stat(LOCATION), () -> close(driver.open(LOCATION, ByteRange.all())))) {
                BrizoException e = assertThrows(BrizoException.class, call::run);
                assertEquals(ErrorKind.UNAVAILABLE, e.kind(), e::toString);
                assertTrue(e.retryable());
                assertRevealsNothing(e);
            }
        }
    }

    private AtomicInteger answering(int status, String code) throws IOException {
        AtomicInteger requests = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            if (code != null && !code.isBlank()) {
                exchange.getResponseHeaders().add("x-ms-error-code", code);
            }
            exchange.getResponseHeaders().add("Retry-After", "0");
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(status, head ? -1 : 0);
            exchange.close();
        });
        server.start();
        return requests;
    }

    private String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/devstoreaccount1";
    }

    private static StorageDriver driver(String endpoint, int tries) {
        return Azurite.driver(Map.of(
                AzureBlobStorageDriverFactory.ACCOUNT_NAME,
                Azurite.ACCOUNT,
                AzureBlobStorageDriverFactory.ACCOUNT_KEY,
                Azurite.KEY,
                AzureBlobStorageDriverFactory.BLOB_ENDPOINT,
                endpoint,
                AzureBlobStorageDriverFactory.MAX_TRIES,
                Integer.toString(tries)));
    }

    private static void close(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertRevealsNothing(BrizoException e) {
        String message = e.getMessage();
        for (String forbidden : List.of("127.0.0.1", "devstoreaccount1", "set.csv", "/data/", Azurite.KEY)) {
            assertFalse(message.contains(forbidden), () -> "'" + message + "' reveals '" + forbidden + "'");
        }
    }
}
