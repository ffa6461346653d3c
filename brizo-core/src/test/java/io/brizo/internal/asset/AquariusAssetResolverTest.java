package io.brizo.internal.asset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.internal.auth.Eip191;
import io.brizo.spi.AlgorithmMetadata;
import io.brizo.spi.Asset;
import io.brizo.spi.AssetFile;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.ECKeyPair;

/**
 * The metadata store resolver against {@link ScriptedMetadataStore}, a scripted HTTP server on
 * 127.0.0.1 serving DDOs in the original's format (no real Aquarius runs in these tests): what a
 * DDO becomes, the cache and its time to live, and the store's failures.
 */
class AquariusAssetResolverTest {
    static final ECKeyPair KEY = Eip191.keyPairOf("0x" + "0f".repeat(32));
    static final String DID = "did:op:" + "ab".repeat(32);
    static final String ALGORITHM = "did:op:" + "a1".repeat(32);
    static final String PUBLISHER = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
    static final String FILES = "[{\"url\": \"s3://bucket/secret/a.bin\", \"index\": 0, \"contentType\":"
            + " \"application/octet-stream\"}, {\"url\": \"https://host.example/secret/b.txt\", \"index\": 1}]";

    final ScriptedMetadataStore store = newStore();
    /** A clock the tests move. */
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    static ScriptedMetadataStore newStore() {
        try {
            return new ScriptedMetadataStore();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stop() {
        store.close();
    }

    AquariusAssetResolver resolver(URI url, Duration ttl) {
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        };
        return new AquariusAssetResolver(url, ttl, KEY, Duration.ofSeconds(2), Duration.ofMillis(500), clock);
    }

    @Test
    void aDatasetDdoGivesItsDecryptedFilesTimeoutAndPublisher() {
        store.put(
                DID,
                ScriptedMetadataStore.datasetDdo(
                        DID, PUBLISHER, ScriptedMetadataStore.encryptedFiles(KEY, FILES), 3600));
        Asset a = resolver(store.url(), Duration.ofSeconds(60)).resolve(DID).orElseThrow();
        assertEquals(
                List.of(
                        new AssetFile(URI.create("s3://bucket/secret/a.bin"), "application/octet-stream", null),
                        new AssetFile(URI.create("https://host.example/secret/b.txt"), null, null)),
                a.files());
        assertEquals(Duration.ofSeconds(3600), a.timeout());
        assertEquals(PUBLISHER, a.publisher());
        assertNull(a.algorithm());
    }

    @Test
    void anAlgorithmDdoGivesItsContainerAndTheComputeTimeout() {
        store.put(
                ALGORITHM,
                ScriptedMetadataStore.algorithmDdo(
                        ALGORITHM,
                        ScriptedMetadataStore.encryptedFiles(KEY, "[{\"url\": \"file:///algo/wc.py\"}]"),
                        600));
        Asset a =
                resolver(store.url(), Duration.ofSeconds(60)).resolve(ALGORITHM).orElseThrow();
        AlgorithmMetadata m = a.algorithmIfAny().orElseThrow();
        assertEquals("python", m.language());
        assertEquals("python $ALGO", m.container().entrypoint());
        assertEquals("python", m.container().image());
        assertEquals("3.8-alpine", m.container().tag());
        assertEquals(Duration.ofSeconds(600), a.timeout());
        // publicKey's owner is a DID there, so the publisher is proof.creator
        assertEquals("0x00bd138abd70e2f00903268f3db08f2d25677c9e", a.publisher());
        assertEquals(1, a.files().size());
    }

    @Test
    void withinTheTtlASecondResolveAsksNothingAndAfterItAsksOnce() {
        store.put(
                DID,
                ScriptedMetadataStore.datasetDdo(DID, PUBLISHER, ScriptedMetadataStore.encryptedFiles(KEY, FILES), 0));
        AquariusAssetResolver r = resolver(store.url(), Duration.ofSeconds(60));
        Asset first = r.resolve(DID).orElseThrow();
        assertEquals(1, store.requests(DID));
        now = now.plusSeconds(59);
        assertSame(first, r.resolve(DID).orElseThrow());
        assertEquals(1, store.requests(DID));
        now = now.plusSeconds(1);
        assertEquals(first, r.resolve(DID).orElseThrow());
        assertEquals(2, store.requests(DID));
        // the store's 404 is kept for the TTL as well
        String unknown = "did:op:" + "ef".repeat(32);
        assertTrue(r.resolve(unknown).isEmpty());
        assertTrue(r.resolve(unknown).isEmpty());
        assertEquals(1, store.requests(unknown));
    }

    @Test
    void aDdoTheStoreDoesNotHaveIsNotServed() {
        assertTrue(resolver(store.url(), Duration.ofSeconds(60)).resolve(DID).isEmpty());
        assertEquals(1, store.requests(DID));
    }

    @Test
    void aStoreThatIsDownFailsOrTimesOutIsUnavailableRetryableAndNotCached() throws Exception {
        URI down;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            down = URI.create("http://127.0.0.1:" + s.getLocalPort());
        }
        assertUnavailable(resolver(down, Duration.ofSeconds(60)), DID);

        AquariusAssetResolver r = resolver(store.url(), Duration.ofSeconds(60));
        store.answer(DID, new ScriptedMetadataStore.Answer(503, "{\"error\": \"elasticsearch down\"}", 0));
        assertUnavailable(r, DID);
        store.answer(DID, new ScriptedMetadataStore.Answer(500, "oops", 0));
        assertUnavailable(r, DID);
        store.answer(DID, new ScriptedMetadataStore.Answer(200, "{}", 2_000));
        assertUnavailable(r, DID);
        // nothing of that was kept: once the store answers, the asset is served
        store.put(
                DID,
                ScriptedMetadataStore.datasetDdo(DID, PUBLISHER, ScriptedMetadataStore.encryptedFiles(KEY, FILES), 0));
        assertEquals(2, r.resolve(DID).orElseThrow().files().size());
    }

    static void assertUnavailable(AquariusAssetResolver r, String did) {
        BrizoException e = assertThrows(BrizoException.class, () -> r.resolve(did));
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        assertTrue(e.retryable());
        assertTrue(e.getMessage().contains("metadata store") && e.getMessage().contains(did), e.getMessage());
    }

    @Test
    void aMalformedDdoIsAClearErrorNamingTheDidNotTheContent() {
        AquariusAssetResolver r = resolver(store.url(), Duration.ofSeconds(60));
        String good =
                ScriptedMetadataStore.datasetDdo(DID, PUBLISHER, ScriptedMetadataStore.encryptedFiles(KEY, FILES), 0);
        for (String ddo : List.of(
                "not json SECRET",
                "[\"SECRET\"]",
                good.replace(DID, "did:op:" + "99".repeat(32)),
                good.replace("\"encryptedFiles\"", "\"SECRETencryptedFiles\""),
                good.replace("\"service\"", "\"services\""),
                good.replace("\"timeout\": 0", "\"timeout\": \"SECRET\""),
                good.replace("\"encryptedFiles\": \"0x", "\"encryptedFiles\": \"0xSECRET"))) {
            store.put(DID, ddo);
            now = now.plusSeconds(61);
            BrizoException e = assertThrows(BrizoException.class, () -> r.resolve(DID), ddo);
            assertEquals(ErrorKind.NOT_FOUND, e.kind());
            assertTrue(e.getMessage().contains(DID) && e.getMessage().contains("DDO"), e.getMessage());
            assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
        }
    }

    @Test
    void aTamperedCiphertextIsAClearErrorNamingTheDidNotTheContent() {
        char[] hex = ScriptedMetadataStore.encryptedFiles(KEY, FILES).toCharArray();
        hex[hex.length - 40] = hex[hex.length - 40] == '0' ? '1' : '0';
        store.put(DID, ScriptedMetadataStore.datasetDdo(DID, PUBLISHER, new String(hex), 0));
        AquariusAssetResolver r = resolver(store.url(), Duration.ofSeconds(60));
        for (int i = 0; i < 2; i++) {
            BrizoException e = assertThrows(BrizoException.class, () -> r.resolve(DID));
            assertEquals(ErrorKind.NOT_FOUND, e.kind());
            assertTrue(e.getMessage().contains(DID) && e.getMessage().contains("do not decrypt"), e.getMessage());
            assertFalse(e.getMessage().contains("secret"), e.getMessage());
        }
        assertEquals(1, store.requests(DID));
        // encrypted to another provider's key: the same error
        store.put(
                DID,
                ScriptedMetadataStore.datasetDdo(
                        DID,
                        PUBLISHER,
                        ScriptedMetadataStore.encryptedFiles(Eip191.keyPairOf("0x" + "1e".repeat(32)), FILES),
                        0));
        now = now.plusSeconds(60);
        BrizoException e = assertThrows(BrizoException.class, () -> r.resolve(DID));
        assertTrue(e.getMessage().contains("do not decrypt"), e.getMessage());
    }

    @Test
    void theShorterOfTheAccessAndComputeTimeoutsApplies() {
        String ddo = ScriptedMetadataStore.datasetDdo(
                        DID, PUBLISHER, ScriptedMetadataStore.encryptedFiles(KEY, FILES), 7200)
                .replace(
                        "\"type\": \"authorization\",",
                        "\"type\": \"compute\", \"attributes\": {\"main\": {\"timeout\": 3600}}}, {\"type\": \"x\",");
        store.put(DID, ddo);
        assertEquals(
                Duration.ofSeconds(3600),
                resolver(store.url(), Duration.ZERO).resolve(DID).orElseThrow().timeout());
    }
}
