package io.brizo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.internal.asset.JsonFileAssetResolver;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.Settings;
import io.brizo.spi.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An on-chain agreement lasts the asset's service timeout from the time it was made. */
class AgreementExpiryTest {
    static final String AGREEMENT = "cc".repeat(32);
    static final String DID = "did:op:" + "dd".repeat(32);
    static final Instant AGREED = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    final TestKeys consumer = TestKeys.random();

    ConsumableFile consumeAt(Instant now, String timeoutJson) throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(root.resolve("data.txt"), "data");
        Path assets = dir.resolve("assets.json");
        Files.writeString(
                assets,
                "{\"" + DID + "\": {\"files\": [{\"url\": \""
                        + root.resolve("data.txt").toUri() + "\"}]" + timeoutJson + "}}");
        try (Brizo brizo = Brizo.builder()
                .settings(Settings.builder()
                        .put("BRIZO_FILE_ROOTS", root.toString())
                        .build())
                .verifier(claim -> Verdict.grantedSince(DID, AGREED))
                .assetResolver(new JsonFileAssetResolver(assets))
                .clock(Clock.fixed(now, ZoneOffset.UTC))
                .discover()
                .build()) {
            return brizo.consume(ConsumeRequest.builder()
                    .agreementId(AGREEMENT)
                    .consumerAddress(consumer.address())
                    .signature(consumer.signText(AGREEMENT))
                    .index(0)
                    .build());
        }
    }

    @Test
    void agreementWithinTheAssetsTimeoutIsHonoured() throws Exception {
        assertEquals(
                4,
                consumeAt(AGREED.plus(Duration.ofMinutes(59)), ", \"timeout\": 3600")
                        .size());
    }

    @Test
    void agreementPastTheAssetsTimeoutHasExpired() {
        BrizoException e = assertThrows(
                BrizoException.class, () -> consumeAt(AGREED.plus(Duration.ofHours(1)), ", \"timeout\": 3600"));
        assertEquals(ErrorKind.FORBIDDEN, e.kind());
        assertTrue(e.getMessage().contains("expired"), e.getMessage());
    }

    @Test
    void timeoutZeroOrAbsentNeverExpires() throws Exception {
        assertEquals(
                4,
                consumeAt(AGREED.plus(Duration.ofDays(3650)), ", \"timeout\": 0")
                        .size());
        assertEquals(4, consumeAt(AGREED.plus(Duration.ofDays(3650)), "").size());
    }

    @Test
    void negativeTimeoutIsAConfigurationError() {
        BrizoException e = assertThrows(BrizoException.class, () -> consumeAt(AGREED, ", \"timeout\": -5"));
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("timeout"), e.getMessage());
    }
}
