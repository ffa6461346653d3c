package io.brizo.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.brizo.testkit.Polling;
import io.brizo.testkit.PublisherFiles;
import io.brizo.verifier.keeper.LocalChain;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /ready} with the on-chain verifier against a real local chain that goes away. */
class ServeReadyTest {
    private static final String DID = "did:op:" + "d4".repeat(32);
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path work;

    @Test
    void readyTurnsNotReadyOnceTheChainNodeStopsWithoutNamingIt() throws Exception {
        Path storage = Files.createDirectories(work.resolve("storage"));
        Path data = Files.writeString(storage.resolve("a.csv"), "a\n");
        Path assets = PublisherFiles.writeAsset(work.resolve("assets.json"), DID, data.toUri(), "text/csv");
        LocalChain chain = LocalChain.start();
        try (ServeProcess serve = ServeProcess.start(
                Map.of(
                        "BRIZO_ASSETS", assets.toString(),
                        "BRIZO_FILE_ROOTS", storage.toString(),
                        "KEEPER_URL", chain.rpcUrl(),
                        "KEEPER_CHAIN_ID", Long.toString(chain.chainId()),
                        "KEEPER_AGREEMENT_STORE_MANAGER", chain.agreementStoreManager(),
                        "KEEPER_ACCESS_SECRET_STORE_CONDITION", chain.accessSecretStoreCondition(),
                        "KEEPER_DID_REGISTRY", chain.didRegistry()),
                work)) {
            HttpResponse<String> ready = ready(serve);
            assertEquals(200, ready.statusCode(), ready.body());
            assertEquals("{\"status\":\"ready\"}", ready.body());

            chain.close();

            // The answer is remembered for 5 s; a probe after that asks the node again.
            ready = Polling.until(
                    Duration.ofSeconds(20), () -> ready(serve), r -> r.statusCode() != 200, HttpResponse::body);
            assertEquals(503, ready.statusCode(), ready.body());
            assertEquals(
                    "{\"status\":\"not ready\",\"reason\":\"the agreement verifier cannot answer\"}", ready.body());
            String port = Integer.toString(URI.create(chain.rpcUrl()).getPort());
            assertFalse(serve.stderr().contains(chain.rpcUrl()), "the node's URL is in the log");
            assertFalse(ready.body().contains(port));
        } finally {
            chain.close();
        }
    }

    private static HttpResponse<String> ready(ServeProcess serve) throws Exception {
        return CLIENT.send(
                HttpRequest.newBuilder(URI.create(serve.uri() + "/ready"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
