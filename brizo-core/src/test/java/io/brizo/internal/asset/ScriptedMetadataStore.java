package io.brizo.internal.asset;

import com.sun.net.httpserver.HttpServer;
import io.brizo.internal.crypto.Ecies;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.web3j.crypto.ECKeyPair;

/**
 * A scripted stand-in for an Aquarius metadata store on 127.0.0.1, started by the tests: it
 * answers {@code GET /api/v1/aquarius/assets/ddo/{did}} with what the test put there (a DDO in
 * the format of Ocean's DDOs of the Python Brizo's era, a status, a delay) and counts the
 * requests. No real Aquarius runs in these tests; the DDOs are written after the samples of
 * Aquarius, squid-py and Ocean's DDO documentation of that era.
 */
public final class ScriptedMetadataStore implements AutoCloseable {
    /** One scripted answer. */
    public record Answer(int status, String body, long delayMillis) {}

    private final HttpServer server;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

    /** Starts it on a free port of 127.0.0.1. */
    public ScriptedMetadataStore() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String did = path.startsWith(AquariusAssetResolver.DDO_PATH)
                    ? path.substring(AquariusAssetResolver.DDO_PATH.length())
                    : "";
            requests.computeIfAbsent(did, d -> new AtomicInteger()).incrementAndGet();
            Answer a = answers.getOrDefault(
                    did, new Answer(404, "{\"error\": \"Asset DID " + did + " not found in Elasticsearch.\"}", 0));
            try {
                Thread.sleep(a.delayMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            try {
                exchange.sendResponseHeaders(a.status(), body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            } catch (IOException ignored) {
                // the client gave up (a timeout test)
            }
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    /** {@return the store's base URL, as AQUARIUS_URL takes it} */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Serves {@code ddo} for {@code did}. */
    public void put(String did, String ddo) {
        answers.put(did, new Answer(200, ddo, 0));
    }

    /** Answers {@code did} with {@code answer}. */
    public void answer(String did, Answer answer) {
        answers.put(did, answer);
    }

    /** {@return how many requests asked for {@code did}} */
    public int requests(String did) {
        AtomicInteger n = requests.get(did);
        return n == null ? 0 : n.get();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    /** {@return a file list encrypted to {@code provider}, as the publish route answers it} */
    public static String encryptedFiles(ECKeyPair provider, String fileList) {
        return "0x" + HexFormat.of().formatHex(Ecies.encrypt(provider, fileList.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * {@return a dataset's DDO in the original's format: a metadata service with the public file
     * metadata and {@code encryptedFiles}, an access service with {@code timeout}, the publisher in
     * {@code publicKey} and {@code proof}}
     */
    public static String datasetDdo(String did, String publisher, String encryptedFiles, long accessTimeout) {
        return """
                {
                  "@context": "https://w3id.org/did/v1",
                  "id": "%1$s",
                  "created": "2019-05-16T12:36:14Z",
                  "publicKey": [
                    {"id": "%1$s", "type": "EthereumECDSAKey", "owner": "%2$s"}
                  ],
                  "authentication": [
                    {"type": "RsaSignatureAuthentication2018", "publicKey": "%1$s"}
                  ],
                  "proof": {
                    "type": "DDOIntegritySignature",
                    "created": "2019-05-16T12:41:01Z",
                    "creator": "%2$s",
                    "signatureValue": "0x%5$s"
                  },
                  "service": [
                    {
                      "type": "metadata",
                      "index": 0,
                      "serviceEndpoint": "http://aquarius:5000/api/v1/aquarius/assets/ddo/{did}",
                      "attributes": {
                        "main": {
                          "type": "dataset",
                          "name": "Madrid Weather forecast",
                          "dateCreated": "2019-05-16T12:36:14Z",
                          "author": "Norwegian Meteorological Institute",
                          "license": "Public Domain",
                          "price": "0",
                          "files": [
                            {"index": 0, "contentType": "application/octet-stream", "contentLength": "100000",
                             "compression": "none"},
                            {"index": 1, "contentType": "text/plain"}
                          ],
                          "datePublished": "2019-05-16T12:41:01Z"
                        },
                        "encryptedFiles": "%3$s",
                        "curation": {"rating": 0.0, "numVotes": 0, "isListed": true},
                        "additionalInformation": {"description": "Weather forecast", "tags": [], "links": []}
                      }
                    },
                    {
                      "type": "authorization",
                      "index": 2,
                      "serviceEndpoint": "http://secret-store:12001",
                      "attributes": {"main": {"service": "SecretStore"}}
                    },
                    {
                      "type": "access",
                      "index": 3,
                      "serviceEndpoint": "http://brizo:8030/api/v1/brizo/services/consume",
                      "templateId": "0x%6$s",
                      "attributes": {
                        "main": {
                          "name": "dataAssetAccessServiceAgreement",
                          "creator": "%2$s",
                          "price": "0",
                          "timeout": %4$d,
                          "datePublished": "2019-05-16T12:41:01Z"
                        },
                        "serviceAgreementTemplate": {"contractName": "EscrowAccessSecretStoreTemplate"}
                      }
                    }
                  ]
                }
                """.formatted(did, publisher, encryptedFiles, accessTimeout, "ab".repeat(65), "cd".repeat(20));
    }

    /**
     * {@return an algorithm's DDO in the original's format: metadata of type algorithm with its
     * container, and a compute service with {@code timeout}}
     */
    public static String algorithmDdo(String did, String encryptedFiles, long computeTimeout) {
        return """
                {
                  "@context": "https://w3id.org/did/v1",
                  "id": "%1$s",
                  "publicKey": [{"id": "%1$s", "type": "EthereumECDSAKey", "owner": "%1$s"}],
                  "proof": {"type": "DDOIntegritySignature", "created": "2020-01-01T00:00:00Z",
                            "creator": "0x00bd138abd70e2f00903268f3db08f2d25677c9e", "signatureValue": "0x00"},
                  "service": [
                    {
                      "type": "metadata",
                      "index": 0,
                      "attributes": {
                        "main": {
                          "type": "algorithm",
                          "name": "word count",
                          "dateCreated": "2020-01-01T00:00:00Z",
                          "author": "me",
                          "license": "MIT",
                          "files": [{"index": 0, "contentType": "text/x-python"}],
                          "algorithm": {
                            "language": "python",
                            "format": "docker-image",
                            "version": "0.1",
                            "container": {"entrypoint": "python $ALGO", "image": "python", "tag": "3.8-alpine"}
                          }
                        },
                        "encryptedFiles": "%2$s"
                      }
                    },
                    {
                      "type": "compute",
                      "index": 4,
                      "serviceEndpoint": "http://brizo:8030/api/v1/brizo/services/compute",
                      "attributes": {"main": {"name": "dataAssetComputingServiceAgreement", "price": "0",
                                              "timeout": %3$d}}
                    }
                  ]
                }
                """.formatted(did, encryptedFiles, computeTimeout);
    }
}
