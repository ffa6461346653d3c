package io.brizo.testkit.builtin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.brizo.internal.asset.AquariusAssetResolver;
import io.brizo.internal.auth.Eip191;
import io.brizo.internal.crypto.Ecies;
import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.Asset;
import io.brizo.spi.AssetFile;
import io.brizo.spi.AssetResolver;
import io.brizo.testkit.AssetResolverContract;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.web3j.crypto.ECKeyPair;

/**
 * Runs the asset resolver contract against the built-in metadata store resolver ({@code
 * AQUARIUS_URL}). The store is a scripted HTTP server on 127.0.0.1 that answers {@code GET
 * /api/v1/aquarius/assets/ddo/{did}} with DDOs in the format of Ocean's DDOs (v0.9), their file
 * lists in {@code encryptedFiles} encrypted to the provider's key; no real Aquarius runs here.
 * DDOs are kept 200 ms, so changes are seen through the cache's expiry.
 */
class AquariusAssetResolverContractTest extends AssetResolverContract {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ECKeyPair PROVIDER = Eip191.keyPairOf("0x" + "0f".repeat(32));

    private final Map<String, byte[]> ddos = new ConcurrentHashMap<>();
    private final HttpServer store;

    AquariusAssetResolverContractTest() throws IOException {
        store = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        store.createContext(AquariusAssetResolver.DDO_PATH, exchange -> {
            String did = exchange.getRequestURI().getPath().substring(AquariusAssetResolver.DDO_PATH.length());
            byte[] ddo = ddos.get(did);
            byte[] body = ddo != null ? ddo : "{\"error\": \"not found\"}".getBytes();
            exchange.sendResponseHeaders(ddo != null ? 200 : 404, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        store.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8));
        store.start();
    }

    @AfterEach
    void stopStore() {
        store.stop(0);
        ((java.util.concurrent.ExecutorService) store.getExecutor()).shutdownNow();
    }

    @Override
    protected void writeCatalogue(List<Asset> assets) throws IOException {
        Map<String, byte[]> next = new ConcurrentHashMap<>();
        for (Asset asset : assets) {
            next.put(asset.did(), JSON.writeValueAsBytes(ddo(asset)));
        }
        ddos.keySet().retainAll(next.keySet());
        ddos.putAll(next);
    }

    private static ObjectNode ddo(Asset asset) throws IOException {
        ObjectNode ddo = JSON.createObjectNode();
        ddo.put("@context", "https://w3id.org/did/v1").put("id", asset.did());
        asset.publisherIfKnown().ifPresent(p -> ddo.putArray("publicKey")
                .addObject()
                .put("id", asset.did())
                .put("type", "EthereumECDSAKey")
                .put("owner", p));
        ArrayNode services = ddo.putArray("service");
        ObjectNode metadata = services.addObject().put("type", "metadata").put("index", 0);
        ObjectNode attributes = metadata.putObject("attributes");
        ObjectNode main = attributes.putObject("main");
        main.put("type", asset.algorithm() != null ? "algorithm" : "dataset").put("name", "contract asset");
        ArrayNode publicFiles = main.putArray("files");
        ArrayNode secretFiles = JSON.createArrayNode();
        for (int i = 0; i < asset.files().size(); i++) {
            AssetFile file = asset.files().get(i);
            ObjectNode pub = publicFiles.addObject().put("index", i);
            ObjectNode secret =
                    secretFiles.addObject().put("url", file.url().toString()).put("index", i);
            if (file.contentType() != null) {
                pub.put("contentType", file.contentType());
                secret.put("contentType", file.contentType());
            }
            if (file.checksum() != null) {
                pub.put("checksum", file.checksum());
                secret.put("checksum", file.checksum());
            }
        }
        asset.algorithmIfAny().ifPresent(a -> {
            ObjectNode algorithm = main.putObject("algorithm");
            algorithm
                    .put("language", a.language())
                    .put("format", "docker-image")
                    .put("version", a.version());
            AlgorithmContainer c = a.container();
            algorithm
                    .putObject("container")
                    .put("entrypoint", c.entrypoint())
                    .put("image", c.image())
                    .put("tag", c.tag())
                    .put("checksum", c.digest());
        });
        attributes.put(
                "encryptedFiles",
                "0x" + HexFormat.of().formatHex(Ecies.encrypt(PROVIDER, JSON.writeValueAsBytes(secretFiles))));
        ObjectNode access = services.addObject().put("type", "access").put("index", 3);
        access.putObject("attributes")
                .putObject("main")
                .put("name", "dataAssetAccessServiceAgreement")
                .put("timeout", asset.timeout().toSeconds());
        return ddo;
    }

    @Override
    protected AssetResolver createResolver() {
        return new AquariusAssetResolver(
                URI.create("http://127.0.0.1:" + store.getAddress().getPort()), Duration.ofMillis(200), PROVIDER);
    }
}
