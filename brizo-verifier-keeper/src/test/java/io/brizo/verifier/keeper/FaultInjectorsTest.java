package io.brizo.verifier.keeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/**
 * The fault injectors fail the way the verifier tests rely on, seen through the same web3j and
 * OkHttp 5 stack the verifier uses: a silent node makes the call time out after connecting, a
 * closed port refuses the connection.
 */
class FaultInjectorsTest {
    private final OkHttpClient http =
            new OkHttpClient.Builder().readTimeout(Duration.ofMillis(300)).build();

    @AfterEach
    void closeClient() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    @Test
    void aCallToTheSilentServerConnectsAndThenTimesOut() throws IOException {
        try (SilentRpcServer silent = SilentRpcServer.start()) {
            Web3j web3j = Web3j.build(new HttpService(silent.url(), http));

            long started = System.nanoTime();
            assertThrows(SocketTimeoutException.class, () -> web3j.ethChainId().send());
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertEquals(1, silent.connectionsAccepted());
            assertTrue(took.compareTo(Duration.ofMillis(250)) >= 0, "gave up after " + took);
            web3j.shutdown();
        }
    }

    @Test
    void aCallToTheClosedPortIsRefused() throws IOException {
        try (ClosedPort closed = ClosedPort.open()) {
            Web3j web3j = Web3j.build(new HttpService(closed.url(), http));

            assertThrows(ConnectException.class, () -> web3j.ethChainId().send());
            web3j.shutdown();
        }
    }
}
