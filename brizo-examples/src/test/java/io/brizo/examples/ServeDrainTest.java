package io.brizo.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.http.Routes;
import io.brizo.testkit.PublisherFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

/** SIGTERM stops {@code serve} accepting but lets a download in flight finish whole. */
class ServeDrainTest {
    private static final String AGREEMENT = "7a".repeat(32);
    private static final String DID = "did:op:" + "e3".repeat(32);
    private static final int SIZE = 48 * 1024 * 1024;

    @TempDir
    Path work;

    @Test
    void sigtermStopsAcceptingAndLetsADownloadInFlightFinishWhole() throws Exception {
        Path storage = Files.createDirectories(work.resolve("storage"));
        byte[] bytes = new byte[SIZE];
        new Random(42).nextBytes(bytes);
        Path data = Files.write(storage.resolve("big.bin"), bytes);
        String expected =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        bytes = null;
        ECKeyPair key = Keys.createEcKeyPair();
        Path assets =
                PublisherFiles.writeAsset(work.resolve("assets.json"), DID, data.toUri(), "application/octet-stream");
        Path grants =
                PublisherFiles.writeAccessGrant(work.resolve("grants.json"), AGREEMENT, DID, SignCommand.address(key));

        try (ServeProcess serve = ServeProcess.start(
                Map.of(
                        "BRIZO_ASSETS", assets.toString(),
                        "BRIZO_GRANTS", grants.toString(),
                        "BRIZO_FILE_ROOTS", storage.toString(),
                        "BRIZO_DRAIN_TIMEOUT", "20s"),
                work)) {
            URI consume = URI.create(serve.uri() + Routes.CONSUME + "?serviceAgreementId=" + AGREEMENT
                    + "&consumerAddress=" + SignCommand.address(key) + "&signature=" + SignCommand.sign(key, AGREEMENT)
                    + "&index=0");
            HttpClient client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            HttpResponse<InputStream> response =
                    client.send(HttpRequest.newBuilder(consume).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long received = 0;
            byte[] buffer = new byte[64 * 1024];
            try (InputStream body = response.body()) {
                // Take a first part, then stop reading: the rest (far more than the socket buffers
                // hold) is still to be written when the server is told to stop.
                while (received < 1024 * 1024) {
                    int n = body.read(buffer);
                    assertTrue(n > 0, "the download ended early");
                    sha.update(buffer, 0, n);
                    received += n;
                }

                serve.process().destroy(); // SIGTERM on Linux
                serve.await(() -> !accepts(serve.uri()), Duration.ofSeconds(10), "refusal of new connections");
                assertTrue(serve.process().isAlive(), "serve ended with the download in flight");

                for (int n; (n = body.read(buffer)) >= 0; ) {
                    sha.update(buffer, 0, n);
                    received += n;
                }
            }
            assertEquals(SIZE, received, "bytes received");
            assertEquals(expected, HexFormat.of().formatHex(sha.digest()), "SHA-256 of the bytes received");
            int exit = serve.exitCode(Duration.ofSeconds(15));
            assertEquals(143, exit, "exit status after SIGTERM:\n" + serve.stderr());
            String log = serve.stderr();
            assertTrue(log.contains("draining requests in flight"), log);
            assertTrue(log.contains("INFO brizo.access - GET " + Routes.CONSUME), log);
        }
    }

    private static boolean accepts(URI uri) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
