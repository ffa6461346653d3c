package io.brizo.internal.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.AgreementClaim;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ServiceAgreementVerifier;
import io.brizo.spi.ServiceType;
import io.brizo.spi.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Direct permissions on a DID in the development verifier's grants file. */
class DevelopmentAgreementVerifierPermissionTest {
    static final String DID = "did:op:" + "ab".repeat(32);
    static final String OTHER_DID = "did:op:" + "cd".repeat(32);
    static final String OWNER = "0x" + "11".repeat(20);
    static final String STRANGER = "0x" + "22".repeat(20);
    static final String AGREEMENT = "12".repeat(32);
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);
    static final Duration RARELY = Duration.ofHours(1);

    @TempDir
    Path dir;

    Path grants(String json) throws Exception {
        Path file = dir.resolve("grants.json");
        Files.writeString(file, json);
        return file;
    }

    Path agreementOnly() throws Exception {
        return grants("[{\"agreementId\": \"" + AGREEMENT + "\", \"did\": \"" + DID + "\", \"consumer\": \"" + OWNER
                + "\", \"service\": \"access\"}]");
    }

    @Test
    void theDefaultVerifierDeniesEveryPermissionAndCannotGrant() {
        ServiceAgreementVerifier none = claim -> Verdict.denied("no");
        assertFalse(none.verifyPermission(DID, OWNER).isGranted());
        assertFalse(none.canGrant());
        assertEquals(
                ErrorKind.CONFIGURATION,
                assertThrows(BrizoException.class, () -> none.grantPermission(DID, OWNER))
                        .kind());
    }

    @Test
    void aPermissionEntryGrantsItsConsumerOnItsDidOnly() throws Exception {
        Path file = grants("[{\"did\": \"" + DID + "\", \"consumer\": \""
                + OWNER.toUpperCase().replace("0X", "0x")
                + "\", \"service\": \"permission\"},"
                + " {\"did\": \"" + OTHER_DID + "\", \"consumer\": \"" + OWNER
                + "\", \"service\": \"permission\", \"expiresAt\": \"2001-01-01T00:00:00Z\"}]");
        var verifier = new DevelopmentAgreementVerifier(file, CLOCK, RARELY);
        Verdict granted = verifier.verifyPermission(DID, OWNER);
        assertTrue(granted.isGranted(), granted.toString());
        assertEquals(DID, granted.did().orElseThrow());
        assertFalse(verifier.verifyPermission(DID, STRANGER).isGranted());
        Verdict expired = verifier.verifyPermission(OTHER_DID, OWNER);
        assertFalse(expired.isGranted());
        assertTrue(expired.reason().orElseThrow().contains("expired"), expired.toString());
        // A permission is no agreement: the DID's hex as an agreement id finds nothing.
        assertFalse(verifier.verify(new AgreementClaim("ab".repeat(32), OWNER, ServiceType.ACCESS))
                .isGranted());
    }

    @Test
    void anAgreementIsNoPermissionOnItsDid() throws Exception {
        var verifier = new DevelopmentAgreementVerifier(agreementOnly(), CLOCK, RARELY);
        assertTrue(verifier.verify(new AgreementClaim(AGREEMENT, OWNER, ServiceType.ACCESS))
                .isGranted());
        assertFalse(verifier.verifyPermission(DID, OWNER).isGranted());
    }

    @Test
    void aPermissionEntryWithAnAgreementIdIsRefused() throws Exception {
        Path file = grants("[{\"agreementId\": \"" + AGREEMENT + "\", \"did\": \"" + DID + "\", \"consumer\": \""
                + OWNER + "\", \"service\": \"permission\"}]");
        BrizoException e =
                assertThrows(BrizoException.class, () -> new DevelopmentAgreementVerifier(file, CLOCK, RARELY));
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("agreementId"), e.getMessage());
    }

    @Test
    void grantedPermissionsAreServedAtOnceKeptInTheFileAndGrantingAgainChangesNothing() throws Exception {
        Path file = agreementOnly();
        var verifier = new DevelopmentAgreementVerifier(file, CLOCK, RARELY);
        assertTrue(verifier.canGrant());
        verifier.grantPermission(DID, OWNER.toUpperCase().replace("0X", "0x"));
        assertTrue(verifier.verifyPermission(DID, OWNER).isGranted());
        assertFalse(verifier.verifyPermission(DID, STRANGER).isGranted());
        String written = Files.readString(file);
        verifier.grantPermission(DID, OWNER);
        assertEquals(written, Files.readString(file));

        var restarted = new DevelopmentAgreementVerifier(file, CLOCK, RARELY);
        assertTrue(restarted.verifyPermission(DID, OWNER).isGranted());
        assertTrue(restarted
                .verify(new AgreementClaim(AGREEMENT, OWNER, ServiceType.ACCESS))
                .isGranted());
    }

    @Test
    void grantingRefusesMalformedInput() throws Exception {
        var verifier = new DevelopmentAgreementVerifier(agreementOnly(), CLOCK, RARELY);
        for (String[] bad : List.of(
                new String[] {"did:op:12", OWNER},
                new String[] {"did:op:" + "AB".repeat(32), OWNER},
                new String[] {DID, "0x12"},
                new String[] {DID, null})) {
            assertEquals(
                    ErrorKind.INVALID_REQUEST,
                    assertThrows(BrizoException.class, () -> verifier.grantPermission(bad[0], bad[1]))
                            .kind());
        }
    }

    @Test
    void concurrentGrantsNeverLoseOneAnother() throws Exception {
        Path file = agreementOnly();
        var verifier = new DevelopmentAgreementVerifier(file, CLOCK, Duration.ZERO);
        int threads = 6;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                String grantee = "0x" + String.format("%040x", t + 1);
                done.add(pool.submit(() -> {
                    go.await();
                    verifier.grantPermission(DID, grantee);
                    verifier.grantPermission(OTHER_DID, grantee);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        var reread = new DevelopmentAgreementVerifier(file, CLOCK, RARELY);
        for (int t = 0; t < threads; t++) {
            String grantee = "0x" + String.format("%040x", t + 1);
            assertTrue(reread.verifyPermission(DID, grantee).isGranted(), grantee);
            assertTrue(reread.verifyPermission(OTHER_DID, grantee).isGranted(), grantee);
        }
        assertTrue(reread.verify(new AgreementClaim(AGREEMENT, OWNER, ServiceType.ACCESS))
                .isGranted());
    }
}
