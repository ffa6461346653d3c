package io.brizo.verifier.keeper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brizo.Brizo;
import io.brizo.http.BrizoHttpApi;
import io.brizo.http.BrizoHttpServer;
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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Consume over HTTP with the keeper verifier wired in by settings, against a real local chain. */
class KeeperConsumeHttpTest {
    static LocalChain chain;

    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newHttpClient();
    final List<AutoCloseable> toClose = new ArrayList<>();
    final TestConsumer consumer = TestConsumer.random();
    final String agreement = KeeperAgreementVerifierTest.randomHex32();
    final String did = KeeperAgreementVerifierTest.randomHex32();
    final byte[] data = "weather,rain\n2026-11-21,3mm\n".getBytes();

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

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    URI start(Clock clock) throws Exception {
        Path root = Files.createDirectories(dir.resolve("data"));
        Files.write(root.resolve("weather.csv"), data);
        Path assets = dir.resolve("assets.json");
        Files.writeString(
                assets,
                "{\"did:op:" + did + "\": {\"files\": [{\"url\": \""
                        + root.resolve("weather.csv").toUri()
                        + "\", \"contentType\": \"text/csv\"}], \"timeout\": 3600}}");
        Settings settings = KeeperAgreementVerifierTest.settings(chain, chain.rpcUrl())
                .put("KEEPER_CHAIN_ID", "1337")
                .put("BRIZO_ASSETS", assets.toString())
                .put("BRIZO_FILE_ROOTS", root.toString())
                .build();
        Brizo brizo = Brizo.builder().settings(settings).clock(clock).discover().build();
        assertEquals("keeper", brizo.verifierName());
        BrizoHttpServer server = BrizoHttpServer.start(brizo, new InetSocketAddress("127.0.0.1", 0), 4);
        toClose.add(0, brizo);
        toClose.add(0, server);
        return URI.create(server.uri() + BrizoHttpApi.CONSUME);
    }

    HttpResponse<byte[]> get(URI consume, String address, String signature) throws Exception {
        URI uri = URI.create(consume + "?serviceAgreementId=" + agreement + "&consumerAddress=" + address
                + "&signature=" + signature + "&index=0");
        return OpenApiConformance.forApiAt(uri.resolve("/"))
                .check(http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray()));
    }

    String token(long seconds) {
        return consumer.sign("Ocean Protocol Authentication\n" + seconds) + "-" + seconds;
    }

    @Test
    void consumerWithAnOnChainAgreementDownloadsAndOthersAreRefused() throws Exception {
        chain.createAgreement(agreement, did, List.of(consumer.address()));
        chain.grantAccess(consumer.address(), did);
        URI consume = start(Clock.systemUTC());

        HttpResponse<byte[]> ok = get(consume, consumer.address(), consumer.sign(agreement));
        assertEquals(200, ok.statusCode(), new String(ok.body()));
        assertArrayEquals(data, ok.body());

        TestConsumer stranger = TestConsumer.random();
        assertEquals(
                403, get(consume, stranger.address(), stranger.sign(agreement)).statusCode());

        long now = System.currentTimeMillis() / 1000;
        assertEquals(200, get(consume, consumer.address(), token(now)).statusCode());
        assertEquals(
                401,
                get(consume, consumer.address(), token(now - Duration.ofDays(2).toSeconds()))
                        .statusCode());
    }

    @Test
    void didFormServesTheOwnerThatTheProviderGrantedOnChainAndRefusesOthers() throws Exception {
        URI consume = start(Clock.systemUTC());
        String didText = "did:op:" + did;
        KeeperPermissionTest.provider(chain).grantPermission(didText, consumer.address());

        URI uri = URI.create(consume + "?serviceAgreementId=" + didText + "&consumerAddress=" + consumer.address()
                + "&signature=" + consumer.sign(didText) + "&index=0");
        HttpResponse<byte[]> ok = OpenApiConformance.forApiAt(uri.resolve("/"))
                .check(http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray()));
        assertEquals(200, ok.statusCode(), new String(ok.body()));
        assertArrayEquals(data, ok.body());

        TestConsumer stranger = TestConsumer.random();
        URI refused = URI.create(consume + "?serviceAgreementId=" + didText + "&consumerAddress=" + stranger.address()
                + "&signature=" + stranger.sign(didText) + "&index=0");
        HttpResponse<byte[]> r = OpenApiConformance.forApiAt(uri.resolve("/"))
                .check(http.send(HttpRequest.newBuilder(refused).build(), HttpResponse.BodyHandlers.ofByteArray()));
        assertEquals(403, r.statusCode(), new String(r.body()));
    }

    @Test
    void agreementOlderThanTheAssetsTimeoutHasExpired() throws Exception {
        chain.createAgreement(agreement, did, List.of(consumer.address()));
        chain.grantAccess(consumer.address(), did);
        URI consume = start(Clock.offset(Clock.systemUTC(), Duration.ofSeconds(3601)));
        HttpResponse<byte[]> r = get(consume, consumer.address(), consumer.sign(agreement));
        assertEquals(403, r.statusCode(), new String(r.body()));
    }

    @Test
    void unreachableNodeAnswers503WithRetryAfter() throws Exception {
        Path root = Files.createDirectories(dir.resolve("data"));
        Path assets = dir.resolve("assets.json");
        Files.writeString(assets, "{}");
        ClosedPort closed = ClosedPort.open();
        toClose.add(closed);
        Settings settings = KeeperAgreementVerifierTest.settings(chain, closed.url())
                .put("BRIZO_ASSETS", assets.toString())
                .put("BRIZO_FILE_ROOTS", root.toString())
                .build();
        Brizo brizo = Brizo.builder().settings(settings).discover().build();
        BrizoHttpServer server = BrizoHttpServer.start(brizo, new InetSocketAddress("127.0.0.1", 0), 2);
        toClose.add(0, brizo);
        toClose.add(0, server);
        HttpResponse<byte[]> r =
                get(URI.create(server.uri() + BrizoHttpApi.CONSUME), consumer.address(), consumer.sign(agreement));
        assertEquals(503, r.statusCode(), new String(r.body()));
        assertEquals("5", r.headers().firstValue("Retry-After").orElseThrow());
    }
}
