package io.brizo.verifier.keeper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.Brizo;
import io.brizo.http.BrizoHttpApi;
import io.brizo.http.BrizoHttpServer;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.Settings;
import io.brizo.testkit.OpenApiConformance;
import io.brizo.testkit.TestConsumer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Contract addresses from a keeper-contracts artifacts folder (KEEPER_PATH), on a real local chain. */
class KeeperArtifactsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static LocalChain chain;

    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startChain() throws Exception {
        chain = LocalChain.start();
    }

    @AfterAll
    static void stopChain() throws Exception {
        if (chain != null) {
            chain.close();
        }
    }

    @Test
    void addressesComeFromTheArtifactsOfTheNetworkTheChainIdNamesAndConsumeIsVerifiedOnChain() throws Exception {
        String agreement = KeeperAgreementVerifierTest.randomHex32();
        String did = KeeperAgreementVerifierTest.randomHex32();
        TestConsumer consumer = TestConsumer.random();
        chain.createAgreement(agreement, did, List.of(consumer.address()));
        chain.grantAccess(consumer.address(), did);
        // Chain 1337 has no Ocean network name: the original called it "development".
        Path artifacts = chain.writeArtifacts(dir.resolve("artifacts"), "development");
        // Another network's files in the same folder are not read.
        Files.writeString(
                artifacts.resolve("DIDRegistry.nile.json"),
                "{\"address\": \"0x0000000000000000000000000000000000000001\"}");
        Path root = Files.createDirectories(dir.resolve("data"));
        byte[] data = "a,b\n1,2\n".getBytes();
        Files.write(root.resolve("d.csv"), data);
        Path assets = Files.writeString(
                dir.resolve("assets.json"),
                "{\"did:op:" + did + "\": {\"files\": [{\"url\": \""
                        + root.resolve("d.csv").toUri() + "\", \"contentType\": \"text/csv\"}]}}");
        Settings settings = Settings.builder()
                .put("KEEPER_URL", chain.rpcUrl())
                .put("KEEPER_PATH", artifacts.toString())
                .put("BRIZO_ASSETS", assets.toString())
                .put("BRIZO_FILE_ROOTS", root.toString())
                .put("PROVIDER_ADDRESS", LocalChain.DEPLOYER_ADDRESS)
                .build();
        try (Brizo brizo = Brizo.builder().settings(settings).discover().build();
                BrizoHttpServer server = BrizoHttpServer.start(brizo, new InetSocketAddress("127.0.0.1", 0), 2)) {
            assertEquals("keeper", brizo.verifierName());
            OpenApiConformance api = OpenApiConformance.forApiAt(URI.create(server.uri() + "/"));

            URI consume = URI.create(server.uri() + BrizoHttpApi.CONSUME + "?serviceAgreementId=" + agreement
                    + "&consumerAddress=" + consumer.address() + "&signature=" + consumer.sign(agreement)
                    + "&index=0");
            HttpResponse<byte[]> ok = api.check(
                    http.send(HttpRequest.newBuilder(consume).build(), HttpResponse.BodyHandlers.ofByteArray()));
            assertEquals(200, ok.statusCode(), new String(ok.body()));
            assertArrayEquals(data, ok.body());

            HttpResponse<String> info = api.check(http.send(
                    HttpRequest.newBuilder(URI.create(server.uri() + "/")).build(),
                    HttpResponse.BodyHandlers.ofString()));
            JsonNode body = JSON.readTree(info.body());
            assertEquals("development", body.get("network").asText());
            assertEquals(chain.rpcUrl(), body.get("keeper-url").asText());
            assertEquals("v0.13.2", body.get("keeper-version").asText());
            assertEquals(
                    LocalChain.DEPLOYER_ADDRESS,
                    body.get("provider-address").asText().toLowerCase());
            JsonNode contracts = body.get("contracts");
            assertEquals(chain.didRegistry(), contracts.get("DIDRegistry").asText());
            assertEquals(
                    chain.agreementStoreManager(),
                    contracts.get("AgreementStoreManager").asText());
            assertEquals(
                    chain.accessSecretStoreCondition(),
                    contracts.get("AccessSecretStoreCondition").asText());
            assertEquals(
                    chain.computeExecutionCondition(),
                    contracts.get("ComputeExecutionCondition").asText());
            assertFalse(info.body().contains(dir.toString()), "the artifacts folder is announced");
        }
    }

    @Test
    void anExplicitAddressWinsOverTheArtifactsAndTheNetworkNameCanBeGiven() throws Exception {
        Path artifacts = chain.writeArtifacts(dir.resolve("artifacts"), "spree");
        String other = KeeperAgreementVerifierTest.randomAddress().toLowerCase();
        Settings settings = Settings.builder()
                .put("KEEPER_URL", chain.rpcUrl())
                .put("KEEPER_PATH", artifacts.toString())
                .put("KEEPER_NETWORK_NAME", "spree")
                .put("KEEPER_DID_REGISTRY", other)
                .build();
        try (var verifier = (KeeperAgreementVerifier)
                new KeeperAgreementVerifierFactory().create(settings).orElseThrow()) {
            @SuppressWarnings("unchecked")
            var contracts =
                    (java.util.Map<String, String>) verifier.serviceInfo().get("contracts");
            assertEquals(other, contracts.get("DIDRegistry"));
            assertEquals(chain.agreementStoreManager(), contracts.get("AgreementStoreManager"));
            assertEquals("spree", verifier.serviceInfo().get("network"));
        }
    }

    @Test
    void aMissingArtifactIsAConfigurationErrorNamingTheFileButNotTheFolder() throws Exception {
        Path artifacts = chain.writeArtifacts(dir.resolve("artifacts"), "development");
        Files.delete(artifacts.resolve("DIDRegistry.development.json"));
        Settings settings = Settings.builder()
                .put("KEEPER_URL", chain.rpcUrl())
                .put("KEEPER_CHAIN_ID", "1337")
                .put("KEEPER_PATH", artifacts.toString())
                .build();
        BrizoException e =
                assertThrows(BrizoException.class, () -> new KeeperAgreementVerifierFactory().create(settings));
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(
                e.getMessage().contains("KEEPER_DID_REGISTRY (or an address in DIDRegistry.development.json"),
                e.getMessage());
        assertFalse(e.getMessage().contains(dir.toString()), e.getMessage());

        Settings nowhere = Settings.builder()
                .put("KEEPER_URL", chain.rpcUrl())
                .put("KEEPER_CHAIN_ID", "1337")
                .put("KEEPER_PATH", dir.resolve("no-such-folder").toString())
                .build();
        BrizoException absent =
                assertThrows(BrizoException.class, () -> new KeeperAgreementVerifierFactory().create(nowhere));
        assertEquals(ErrorKind.CONFIGURATION, absent.kind());
        assertFalse(absent.getMessage().contains(dir.toString()), absent.getMessage());
    }

    @Test
    void anUnreachableNodeWithoutAChainIdIsAnUnavailableErrorThatDoesNotNameTheNode() throws Exception {
        Path artifacts = chain.writeArtifacts(dir.resolve("artifacts"), "development");
        try (ClosedPort closed = ClosedPort.open()) {
            Settings settings = Settings.builder()
                    .put("KEEPER_URL", closed.url())
                    .put("KEEPER_PATH", artifacts.toString())
                    .build();
            BrizoException e =
                    assertThrows(BrizoException.class, () -> new KeeperAgreementVerifierFactory().create(settings));
            assertEquals(ErrorKind.UNAVAILABLE, e.kind());
            assertTrue(e.getMessage().contains("KEEPER_CHAIN_ID"), e.getMessage());
            assertFalse(e.getMessage().contains(closed.url()), e.getMessage());
        }
    }

    @Test
    void keeperPathWithoutKeeperUrlIsOneWarningAndNoVerifier() throws Exception {
        Settings settings = Settings.builder()
                .put("KEEPER_PATH", dir.resolve("artifacts").toString())
                .build();
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertTrue(new KeeperAgreementVerifierFactory().create(settings).isEmpty());
        } finally {
            System.setErr(original);
        }
        String text = log.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.contains("WARN"), text);
        assertTrue(text.contains("KEEPER_PATH (keeper.path) is set but KEEPER_URL (keeper.url) is not"), text);
        assertFalse(text.contains(dir.toString()), text);
    }

    @Test
    void networkNamesAreTheOnesTheOriginalGaveTheOceanChains() {
        assertEquals("nile", KeeperArtifacts.networkName(8995));
        assertEquals("pacific", KeeperArtifacts.networkName(0xcea11));
        assertEquals("Kovan", KeeperArtifacts.networkName(42));
        assertEquals("development", KeeperArtifacts.networkName(31337));
    }
}
