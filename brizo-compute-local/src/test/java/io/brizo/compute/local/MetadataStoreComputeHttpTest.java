package io.brizo.compute.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.brizo.internal.asset.AquariusAssetResolver;
import io.brizo.internal.auth.Eip191;
import io.brizo.internal.crypto.Ecies;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.ECKeyPair;

/**
 * Compute over real HTTP where both the dataset and the published algorithm come from a metadata
 * store ({@code AQUARIUS_URL}) rather than the JSON catalogue: the store is a scripted HTTP server
 * on 127.0.0.1 serving DDOs in the original's format (a metadata service with {@code
 * encryptedFiles} made by the library's ECIES for the provider's key; the algorithm's {@code
 * main.type: algorithm} and container; a compute service with its timeout). No real Aquarius runs
 * here.
 */
class MetadataStoreComputeHttpTest extends ComputeHttpFixture {
    static final String PROVIDER_KEY = "0x" + "0f".repeat(32);
    static final ECKeyPair PROVIDER = Eip191.keyPairOf(PROVIDER_KEY);

    @Test
    void aPublishedAlgorithmFromTheStoreRunsOnADatasetFromTheStore() throws Exception {
        Map<String, byte[]> ddos = new ConcurrentHashMap<>();
        ddos.put(DATASET_DID, ddo(DATASET_DID, Map.of("type", "dataset", "name", "lines"), "lines.csv"));
        ddos.put(
                ALGORITHM_DID,
                ddo(
                        ALGORITHM_DID,
                        Map.of(
                                "type",
                                "algorithm",
                                "name",
                                "line count",
                                "algorithm",
                                Map.of(
                                        "language",
                                        "sh",
                                        "format",
                                        "docker-image",
                                        "version",
                                        "0.1",
                                        "container",
                                        Map.of("entrypoint", "sh $ALGO", "image", "sh", "tag", "latest"))),
                        "count.sh"));
        HttpServer store = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        store.createContext(AquariusAssetResolver.DDO_PATH, exchange -> {
            byte[] ddo =
                    ddos.get(exchange.getRequestURI().getPath().substring(AquariusAssetResolver.DDO_PATH.length()));
            byte[] body = ddo != null ? ddo : "{}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(ddo != null ? 200 : 404, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        store.start();
        toClose.add(() -> store.stop(0));
        // Neither asset is in the JSON catalogue any more: both come from the store.
        assets.clear();
        writeAssets();
        URI fromStore = startAnother(Map.of(
                "AQUARIUS_URL", "http://127.0.0.1:" + store.getAddress().getPort(), "PROVIDER_KEY", PROVIDER_KEY));

        String jobId = startJob(fromStore, consumer, Map.of("algorithmDid", ALGORITHM_DID), 200)
                .get("jobId")
                .asText();
        JsonNode done = awaitStatus(fromStore, jobId, state("SUCCEEDED"));
        assertEquals(0, done.get("exitCode").asInt());
        HttpResponse<byte[]> out = result(fromStore, consumer, jobId, 0);
        assertEquals(200, out.statusCode());
        assertEquals("3", new String(out.body(), StandardCharsets.UTF_8).trim());
    }

    /** {@return a DDO in the original's format whose one file is {@code name} in the data directory} */
    byte[] ddo(String did, Map<String, Object> main, String name) throws Exception {
        String files = JSON.writeValueAsString(List.of(Map.of("url", file(name), "index", 0)));
        String encrypted =
                "0x" + HexFormat.of().formatHex(Ecies.encrypt(PROVIDER, files.getBytes(StandardCharsets.UTF_8)));
        Map<String, Object> withFiles = new java.util.HashMap<>(main);
        withFiles.put("files", List.of(Map.of("index", 0, "contentType", "text/plain")));
        return JSON.writeValueAsBytes(Map.of(
                "@context",
                "https://w3id.org/did/v1",
                "id",
                did,
                "service",
                List.of(
                        Map.of(
                                "type",
                                "metadata",
                                "index",
                                0,
                                "attributes",
                                Map.of("main", withFiles, "encryptedFiles", encrypted)),
                        Map.of(
                                "type",
                                "compute",
                                "index",
                                4,
                                "attributes",
                                Map.of("main", Map.of("name", "dataAssetComputingServiceAgreement", "timeout", 0))))));
    }
}
