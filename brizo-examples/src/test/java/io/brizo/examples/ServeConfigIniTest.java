package io.brizo.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.testkit.OpenApiConformance;
import io.brizo.testkit.PublisherFiles;
import io.brizo.testkit.TestConsumer;
import io.brizo.verifier.keeper.LocalChain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve} started with the Python Brizo's config.ini, against a real local chain (anvil). */
class ServeConfigIniTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The original's sample config.ini (its repository's config.ini); KEEPER_URL is filled in. */
    private static final String SAMPLE = """

            [keeper-contracts]
            keeper.url = KEEPER_URL
            keeper.path = artifacts

            secret_store.url = http://127.0.0.1:12001
            parity.url = http://127.0.0.1:8545

            [resources]
            aquarius.url = http://127.0.0.1:5000
            auth_token_expiration = 86400
            brizo.url = http://localhost:8030
            operator_service.url =

            [osmosis]
            azure.account.name =
            azure.account.key =
            azure.resource_group =
            azure.location =
            azure.client.id =
            azure.client.secret =
            azure.tenant.id =
            azure.subscription.id =
            ; azure.share.input and azure.share.output are only used
            ; for Azure Compute data assets (not for Azure Storage data assets).
            ; If you're not supporting Azure Compute, just leave their values
            ; as compute and output, respectively.
            azure.share.input = compute
            azure.share.output = output
            """;

    static LocalChain chain;

    @TempDir
    Path work;

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

    static String randomHex32() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Writes a data file and its asset; {@return the settings that serve it} */
    Map<String, String> publisher(String did, byte[] data) throws Exception {
        Path storage = Files.createDirectories(work.resolve("storage"));
        Path file = Files.write(storage.resolve("weather.csv"), data);
        Path assets = PublisherFiles.writeAsset(work.resolve("assets.json"), "did:op:" + did, file.toUri(), "text/csv");
        return Map.of(
                "BRIZO_ASSETS", assets.toString(),
                "BRIZO_FILE_ROOTS", storage.toString(),
                "PROVIDER_ADDRESS", LocalChain.DEPLOYER_ADDRESS);
    }

    @Test
    void theOriginalsSampleConfigIniInTheWorkingDirectoryServesConsumeVerifiedWithTheContractsOfKeeperPath()
            throws Exception {
        String agreement = randomHex32();
        String did = randomHex32();
        TestConsumer consumer = TestConsumer.random();
        chain.createAgreement(agreement, did, List.of(consumer.address()));
        chain.grantAccess(consumer.address(), did);
        byte[] data = "day,rain\n2026-12-05,3mm\n".getBytes(StandardCharsets.UTF_8);
        Map<String, String> env = publisher(did, data);
        Path home = Files.createDirectories(work.resolve("brizo"));
        Files.writeString(home.resolve("config.ini"), SAMPLE.replace("KEEPER_URL", chain.rpcUrl()));
        // keeper.path = artifacts: relative to the working directory, as in the original.
        chain.writeArtifacts(home.resolve("artifacts"), "development");

        try (ServeProcess serve = ServeProcess.startIn(home, env, work)) {
            OpenApiConformance api = OpenApiConformance.forApiAt(URI.create(serve.uri() + "/"));
            URI consume = URI.create(serve.uri() + "/api/v1/brizo/services/consume?serviceAgreementId=" + agreement
                    + "&consumerAddress=" + consumer.address() + "&signature=" + consumer.sign(agreement)
                    + "&index=0");
            HttpResponse<byte[]> ok = api.check(
                    CLIENT.send(HttpRequest.newBuilder(consume).build(), HttpResponse.BodyHandlers.ofByteArray()));
            assertEquals(200, ok.statusCode(), new String(ok.body(), StandardCharsets.UTF_8));
            assertArrayEquals(data, ok.body());

            TestConsumer stranger = TestConsumer.random();
            URI refused = URI.create(serve.uri() + "/api/v1/brizo/services/consume?serviceAgreementId=" + agreement
                    + "&consumerAddress=" + stranger.address() + "&signature=" + stranger.sign(agreement)
                    + "&index=0");
            assertEquals(
                    403,
                    api.check(CLIENT.send(
                                    HttpRequest.newBuilder(refused).build(), HttpResponse.BodyHandlers.ofString()))
                            .statusCode());

            JsonNode info = root(serve, api);
            assertEquals("Brizo for Java", info.get("software").asText());
            assertEquals("development", info.get("network").asText());
            assertEquals(chain.rpcUrl(), info.get("keeper-url").asText());
            assertEquals("v0.13.2", info.get("keeper-version").asText());
            assertEquals(
                    LocalChain.DEPLOYER_ADDRESS,
                    info.get("provider-address").asText().toLowerCase());
            assertEquals(
                    chain.didRegistry(),
                    info.get("contracts").get("DIDRegistry").asText());
            assertEquals(
                    chain.agreementStoreManager(),
                    info.get("contracts").get("AgreementStoreManager").asText());

            String log = serve.stderr();
            for (String unused : List.of("secret_store.url", "parity.url", "brizo.url", "azure.share.input")) {
                assertEquals(1, count(log, unused + " ("), unused + " is warned about once:\n" + log);
            }
            assertFalse(log.contains("12001"), log);
            assertFalse(log.contains(home.toString()), log);
        }
    }

    @Test
    void configFlagTakesAnIniFileAndTheEnvironmentWinsOverIt() throws Exception {
        String did = randomHex32();
        Map<String, String> env = new java.util.HashMap<>(publisher(did, "x\n".getBytes(StandardCharsets.UTF_8)));
        Path artifacts = chain.writeArtifacts(work.resolve("artifacts"), "development");
        Path ini = Files.writeString(
                work.resolve("brizo.ini"),
                SAMPLE.replace("KEEPER_URL", "http://127.0.0.1:9")
                        .replace("keeper.path = artifacts", "keeper.path = " + artifacts));
        env.put("KEEPER_URL", chain.rpcUrl());
        try (ServeProcess serve = ServeProcess.startIn(null, env, work, "--config", ini.toString())) {
            JsonNode info = root(serve, OpenApiConformance.forApiAt(URI.create(serve.uri() + "/")));
            assertEquals(chain.rpcUrl(), info.get("keeper-url").asText());
            assertEquals(
                    chain.didRegistry(),
                    info.get("contracts").get("DIDRegistry").asText());
        }
    }

    @Test
    void aMalformedConfigIniStopsServeWithTheFileAndLineAndNotTheValue() throws Exception {
        Path ini = Files.writeString(work.resolve("config.ini"), "[osmosis]\nazure.account.key c2VjcmV0LWtleQ==\n");
        try (ServeProcess serve = ServeProcess.launch(Map.of(), work, "--config", ini.toString())) {
            assertEquals(1, serve.exitCode(Duration.ofSeconds(30)));
            String err = serve.stderr();
            assertTrue(
                    err.contains("Brizo cannot start: the config file config.ini is not a valid INI file: line 2"),
                    err);
            assertFalse(err.contains("c2VjcmV0LWtleQ"), err);
            assertFalse(err.contains(work.toString()), err);
        }
    }

    @Test
    void configFileVariableNamesTheIniThatServeReadsWithoutConfigFlag() throws Exception {
        Path ini = Files.writeString(
                work.resolve("custom.conf"), "[resources]\naquarius.url = http://127.0.0.1:5000\n[broken\n");
        try (ServeProcess serve = ServeProcess.launch(Map.of("CONFIG_FILE", ini.toString()), work)) {
            assertEquals(1, serve.exitCode(Duration.ofSeconds(30)));
            String err = serve.stderr();
            assertTrue(
                    err.contains("the config file custom.conf is not a valid INI file: line 3: a section header"), err);
        }
    }

    @Test
    void helpDocumentsTheConfigIniAndWhatEachOfItsKeysSets() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Serve.help(new PrintStream(out, true, StandardCharsets.UTF_8));
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("--config FILE.properties|config.ini"), help);
        assertTrue(help.contains("CONFIG_FILE"), help);
        assertTrue(help.contains("keeper.path -> KEEPER_PATH"), help);
        assertTrue(help.contains("auth_token_expiration -> BRIZO_AUTH_TOKEN_LIFETIME"), help);
        assertTrue(help.contains("parity.url -> not used"), help);
        assertTrue(help.contains("KEEPER_PATH"), help);
    }

    private static JsonNode root(ServeProcess serve, OpenApiConformance api) throws Exception {
        HttpResponse<String> r = api.check(CLIENT.send(
                HttpRequest.newBuilder(URI.create(serve.uri() + "/")).build(), HttpResponse.BodyHandlers.ofString()));
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
