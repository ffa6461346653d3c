package io.brizo.testkit;

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
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The behaviour every {@link ServiceAgreementVerifier} must have, as a JUnit 5 test class to
 * extend.
 *
 * <p>A subclass connects the suite to the verifier's authority (a grants file, a database, a local
 * chain node) by implementing two hooks: {@link #verifier()} and {@link #grant(String, String,
 * String, ServiceType)}, which makes an agreement in the authority itself, not through the
 * verifier (a row written, a transaction sent and mined), so a verifier cannot pass by agreeing
 * with itself. Optional hooks: {@link #grantUntil grantUntil}, for an authority that records when
 * an agreement ends; {@link #unreachableVerifier()}, a verifier whose authority cannot be reached
 * (a node on a closed port); and {@link #services()}, for a verifier that does not offer every
 * service. Every agreement, DID and consumer the suite uses is fresh, so one authority may serve
 * every test; {@code grant} is never called twice with the same agreement id.
 *
 * <p>The suite checks: a granted agreement is granted with its DID and no past expiry; it covers
 * only its agreement id, consumer and service, and everything else is denied with a reason; an
 * unknown agreement is denied with a reason; a grant made after a denial is seen within {@link
 * #grantDeadline()} (denials are not kept); concurrent verifications agree; an unreachable
 * authority is a retryable UNAVAILABLE error, never a grant, or, for a verifier without a remote
 * authority, that it always answers; and, with {@code grantUntil}, that the agreement's end is
 * reported and an ended agreement is denied. For direct permissions on a DID: one never given is
 * denied (an agreement is none); with {@link #permit permit}, one given in the authority is
 * granted to its grantee only; {@code grantPermission} is seen by {@code verifyPermission}
 * (idempotent, several grantees) or, for a verifier that cannot grant, refused as CONFIGURATION;
 * an unreachable authority never grants one.
 *
 * <pre>{@code
 * class MyVerifierContractTest extends ServiceAgreementVerifierContract {
 *     static Database db = Database.startTemporary();
 *     static ServiceAgreementVerifier verifier = new MyVerifier(db.url());
 *
 *     protected ServiceAgreementVerifier verifier() { return verifier; }
 *     protected void grant(String agreementId, String did, String consumer, ServiceType service) {
 *         db.insertAgreement(agreementId, did, consumer, service);
 *     }
 *     protected Optional<ServiceAgreementVerifier> unreachableVerifier() {
 *         return Optional.of(new MyVerifier("jdbc:postgresql://127.0.0.1:" + closedPort + "/db"));
 *     }
 * }
 * }</pre>
 */
public abstract class ServiceAgreementVerifierContract {
    /** Creates the suite; subclasses set up their authority in constructors or lifecycle methods. */
    protected ServiceAgreementVerifierContract() {}

    /**
     * {@return the verifier under test} Called several times in each test; return the same
     * instance throughout a test. The suite never closes it.
     *
     * @throws Exception if it cannot be created; the test fails with it
     */
    protected abstract ServiceAgreementVerifier verifier() throws Exception;

    /**
     * Makes, in the verifier's authority and without the verifier, an agreement {@code
     * agreementId} for the asset {@code did} that lets {@code consumer} use {@code service},
     * without an end of its own. When this returns, the agreement is final in the authority (a
     * transaction mined, a row committed).
     *
     * @param agreementId 64 lowercase hex digits without {@code 0x}, never used before
     * @param did {@code did:op:} and 64 lowercase hex digits, never used before
     * @param consumer {@code 0x} and 40 lowercase hex digits, never used before
     * @param service one of {@link #services()}
     * @throws Exception if the authority fails; the test fails with it
     */
    protected abstract void grant(String agreementId, String did, String consumer, ServiceType service)
            throws Exception;

    /**
     * Makes an agreement as {@link #grant(String, String, String, ServiceType)} does, that ends at
     * {@code expiresAt}, and returns {@code true}; or returns {@code false}, the default, if the
     * authority does not record an end (on chain an agreement records when it was made, and the
     * asset's service timeout, applied outside the verifier, ends it). With {@code false} the
     * tests of ending agreements do not run.
     *
     * @param expiresAt when the agreement ends, in whole seconds; may be in the past
     * @throws Exception if the authority fails; the test fails with it
     */
    protected boolean grantUntil(
            String agreementId, String did, String consumer, ServiceType service, Instant expiresAt) throws Exception {
        return false;
    }

    /**
     * {@return a verifier configured like {@link #verifier()} but whose authority cannot be
     * reached (a node URL on a port where nothing listens), or empty if the verifier has no remote
     * authority} The default is empty: the suite then checks that the verifier always answers. The
     * suite closes the verifier after use if it is {@link AutoCloseable}.
     *
     * @throws Exception if it cannot be created; the test fails with it
     */
    protected Optional<ServiceAgreementVerifier> unreachableVerifier() throws Exception {
        return Optional.empty();
    }

    /**
     * Gives {@code grantee} direct permission on {@code did} in the verifier's authority, without
     * the verifier (on chain: {@code DIDRegistry.grantPermission} sent by the DID's owner), and
     * returns {@code true}; or returns {@code false}, the default, if the verifier knows no direct
     * permissions. With {@code false} the test of given permissions does not run; the others still
     * check that a permission never given is denied and that {@link
     * ServiceAgreementVerifier#grantPermission} works or is refused as CONFIGURATION.
     *
     * @param did {@code did:op:} and 64 lowercase hex digits, never used before
     * @param grantee {@code 0x} and 40 lowercase hex digits, never used before
     * @throws Exception if the authority fails; the test fails with it
     */
    protected boolean permit(String did, String grantee) throws Exception {
        return false;
    }

    /**
     * {@return the services the verifier grants} The default is every {@link ServiceType}; for
     * the others the suite checks that every claim is denied with a reason.
     */
    protected Set<ServiceType> services() {
        return EnumSet.allOf(ServiceType.class);
    }

    /**
     * {@return how long the verifier may take to see an agreement made after it denied one} The
     * default is 10 seconds; the suite polls and goes on as soon as the grant is seen.
     */
    protected Duration grantDeadline() {
        return Duration.ofSeconds(10);
    }

    // ---------------------------------------------------------------------------------------
    // grants

    @Test
    void grantedAgreementIsGrantedWithItsDid() throws Exception {
        for (ServiceType service : services()) {
            Agreement a = granted(service);
            Verdict v = verifier().verify(a.claim());
            assertGranted(v, a.did(), service + " agreement");
        }
    }

    @Test
    void agreementGrantsOnlyItsService() throws Exception {
        for (ServiceType service : services()) {
            Agreement a = granted(service);
            for (ServiceType other : EnumSet.complementOf(EnumSet.of(service))) {
                assertDenied(
                        verifier().verify(new AgreementClaim(a.agreementId(), a.consumer(), other)),
                        other + " under a " + service + " agreement");
            }
        }
    }

    @Test
    void agreementGrantsOnlyItsConsumer() throws Exception {
        for (ServiceType service : services()) {
            Agreement a = granted(service);
            assertDenied(
                    verifier().verify(new AgreementClaim(a.agreementId(), randomAddress(), service)),
                    "another consumer under a " + service + " agreement");
        }
    }

    @Test
    void agreementGrantsOnlyUnderItsOwnId() throws Exception {
        for (ServiceType service : services()) {
            Agreement a = granted(service);
            assertDenied(
                    verifier().verify(new AgreementClaim(randomAgreementId(), a.consumer(), service)),
                    "the consumer of a " + service + " agreement under another id");
        }
    }

    @Test
    void unknownAgreementIsDeniedWithAReason() throws Exception {
        for (ServiceType service : ServiceType.values()) {
            assertDenied(
                    verifier().verify(new AgreementClaim(randomAgreementId(), randomAddress(), service)),
                    "an unknown " + service + " agreement");
        }
    }

    @Test
    void agreementMadeAfterADenialIsGrantedWithinTheDeadline() throws Exception {
        ServiceType service = firstService();
        Agreement a = new Agreement(randomAgreementId(), randomDid(), randomAddress(), service);
        assertDenied(verifier().verify(a.claim()), "before the agreement is made");
        grant(a.agreementId(), a.did(), a.consumer(), service);
        Verdict v = Polling.until(
                grantDeadline(),
                () -> verifier().verify(a.claim()),
                Verdict::isGranted,
                last -> "an agreement made after a denial was not granted within " + grantDeadline()
                        + "; the verifier must not keep denials: " + last);
        assertGranted(v, a.did(), "once made");
    }

    @Test
    void concurrentVerificationsAgree() throws Exception {
        ServiceType service = firstService();
        Agreement a = granted(service);
        AgreementClaim unknown = new AgreementClaim(randomAgreementId(), a.consumer(), service);
        ServiceAgreementVerifier verifier = verifier();
        int threads = 8;
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            tasks.add(() -> {
                for (int i = 0; i < 10; i++) {
                    assertGranted(verifier.verify(a.claim()), a.did(), "the granted claim");
                    assertDenied(verifier.verify(unknown), "the unknown claim");
                }
                return null;
            });
        }
        Polling.concurrently(tasks, Duration.ofSeconds(120), "a concurrent verification");
    }

    // ---------------------------------------------------------------------------------------
    // an unreachable authority

    @Test
    void unreachableAuthorityIsRetryableUnavailableNeverAGrant() throws Exception {
        ServiceType service = firstService();
        Agreement a = granted(service);
        AgreementClaim unknown = new AgreementClaim(randomAgreementId(), randomAddress(), service);
        Optional<ServiceAgreementVerifier> unreachable = unreachableVerifier();
        if (unreachable.isEmpty()) {
            // No remote authority, so no such failure: the verifier always answers.
            for (int i = 0; i < 3; i++) {
                assertGranted(verifier().verify(a.claim()), a.did(), "a verifier without a remote authority");
                assertDenied(verifier().verify(unknown), "a verifier without a remote authority");
            }
            return;
        }
        ServiceAgreementVerifier verifier = unreachable.get();
        try {
            for (AgreementClaim claim : List.of(a.claim(), unknown, a.claim())) {
                BrizoException e = assertThrows(
                        BrizoException.class,
                        () -> verifier.verify(claim),
                        "an unreachable authority must be an error, never a verdict");
                assertEquals(ErrorKind.UNAVAILABLE, e.kind(), "kind of " + e);
                assertTrue(e.retryable(), "an unreachable authority is retryable: " + e);
            }
        } finally {
            if (verifier instanceof AutoCloseable c) {
                c.close();
            }
        }
        assertGranted(verifier().verify(a.claim()), a.did(), "the reachable verifier, afterwards");
    }

    // ---------------------------------------------------------------------------------------
    // direct permissions on a DID (the DID form of consume)

    @Test
    void permissionNeverGivenIsDeniedAndAnAgreementIsNoPermissionOnItsDid() throws Exception {
        assertDenied(verifier().verifyPermission(randomDid(), randomAddress()), "a permission never given");
        Agreement a = granted(firstService());
        assertDenied(verifier().verifyPermission(a.did(), a.consumer()), "the DID of an agreement, as a permission");
    }

    @Test
    void permissionGivenInTheAuthorityIsGrantedToItsGranteeOnly() throws Exception {
        String did = randomDid();
        String grantee = randomAddress();
        if (!permit(did, grantee)) {
            return; // the authority cannot be given permissions without the verifier
        }
        Verdict v = Polling.until(
                grantDeadline(),
                () -> verifier().verifyPermission(did, grantee),
                Verdict::isGranted,
                last -> "a permission given in the authority was not granted within " + grantDeadline() + ": " + last);
        assertGranted(v, did, "a permission given in the authority");
        assertDenied(verifier().verifyPermission(did, randomAddress()), "another consumer on the permitted DID");
        assertDenied(verifier().verifyPermission(randomDid(), grantee), "the grantee on another DID");
        assertDenied(
                verifier().verify(new AgreementClaim(did.substring("did:op:".length()), grantee, firstService())),
                "the permitted DID's digits as an agreement id");
    }

    @Test
    void grantPermissionIsSeenByVerifyPermissionOrRefusedAsConfiguration() throws Exception {
        ServiceAgreementVerifier verifier = verifier();
        String did = randomDid();
        String grantee = randomAddress();
        if (!verifier.canGrant()) {
            BrizoException e = assertThrows(
                    BrizoException.class,
                    () -> verifier.grantPermission(did, grantee),
                    "a verifier that cannot grant refuses to");
            assertEquals(ErrorKind.CONFIGURATION, e.kind(), "kind of " + e);
            assertDenied(verifier.verifyPermission(did, grantee), "after a refused grant");
            return;
        }
        verifier.grantPermission(did, grantee);
        Verdict v = Polling.until(
                grantDeadline(),
                () -> verifier.verifyPermission(did, grantee),
                Verdict::isGranted,
                last -> "a granted permission was not seen within " + grantDeadline() + ": " + last);
        assertGranted(v, did, "a granted permission");
        assertDenied(verifier.verifyPermission(did, randomAddress()), "another consumer on the granted DID");
        // Granting again is no error and changes nothing.
        verifier.grantPermission(did, grantee);
        assertGranted(verifier.verifyPermission(did, grantee), did, "a permission granted twice");
        String second = randomAddress();
        verifier.grantPermission(did, second);
        assertGranted(
                Polling.until(
                        grantDeadline(),
                        () -> verifier.verifyPermission(did, second),
                        Verdict::isGranted,
                        last -> "a second grantee was not seen: " + last),
                did,
                "a second grantee on the same DID");
        assertGranted(verifier.verifyPermission(did, grantee), did, "the first grantee, still");
    }

    @Test
    void unreachableAuthorityNeverGrantsAPermission() throws Exception {
        Optional<ServiceAgreementVerifier> unreachable = unreachableVerifier();
        if (unreachable.isEmpty()) {
            return;
        }
        ServiceAgreementVerifier verifier = unreachable.get();
        try {
            Verdict v = verifier.verifyPermission(randomDid(), randomAddress());
            assertDenied(v, "a permission asked of an unreachable authority");
        } catch (BrizoException e) {
            assertEquals(ErrorKind.UNAVAILABLE, e.kind(), "kind of " + e);
            assertTrue(e.retryable(), "an unreachable authority is retryable: " + e);
        } finally {
            if (verifier instanceof AutoCloseable c) {
                c.close();
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // agreements that end

    @TestFactory
    Stream<DynamicTest> agreementsThatEnd() throws Exception {
        ServiceType service = firstService();
        Instant end = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        Agreement ending = new Agreement(randomAgreementId(), randomDid(), randomAddress(), service);
        if (!grantUntil(ending.agreementId(), ending.did(), ending.consumer(), service, end)) {
            return Stream.empty(); // the authority records no end: nothing to run
        }
        return Stream.of(
                DynamicTest.dynamicTest("agreementWithAnEndIsGrantedUntilThen", () -> {
                    Verdict v = verifier().verify(ending.claim());
                    assertGranted(v, ending.did(), "an agreement that ends tomorrow");
                    assertEquals(Optional.of(end), v.expiresAt(), "the agreement's end");
                }),
                DynamicTest.dynamicTest("endedAgreementIsDeniedWithAReason", () -> {
                    Agreement ended = new Agreement(randomAgreementId(), randomDid(), randomAddress(), service);
                    Instant past = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
                    assertTrue(
                            grantUntil(ended.agreementId(), ended.did(), ended.consumer(), service, past),
                            "grantUntil answered true once, then not");
                    assertDenied(verifier().verify(ended.claim()), "an agreement that ended an hour ago");
                }));
    }

    // ---------------------------------------------------------------------------------------
    // helpers

    /** An agreement the suite made, or is about to make. */
    private record Agreement(String agreementId, String did, String consumer, ServiceType service) {
        AgreementClaim claim() {
            return new AgreementClaim(agreementId, consumer, service);
        }
    }

    private ServiceType firstService() {
        Set<ServiceType> offered = services();
        assertFalse(offered.isEmpty(), "services() must name at least one service");
        return offered.contains(ServiceType.ACCESS)
                ? ServiceType.ACCESS
                : offered.iterator().next();
    }

    private Agreement granted(ServiceType service) throws Exception {
        Agreement a = new Agreement(randomAgreementId(), randomDid(), randomAddress(), service);
        grant(a.agreementId(), a.did(), a.consumer(), service);
        return a;
    }

    private static void assertGranted(Verdict v, String did, String what) {
        assertTrue(v.isGranted(), what + " must be granted: " + v);
        assertEquals(Optional.of(did), v.did(), "the DID of " + what);
        assertEquals(Optional.empty(), v.reason(), "a grant has no reason: " + what);
        v.expiresAt()
                .ifPresent(end -> assertTrue(
                        end.isAfter(Instant.now()), "a grant that has already ended is a denial: " + what + ": " + v));
    }

    private static void assertDenied(Verdict v, String what) {
        assertFalse(v.isGranted(), what + " must be denied: " + v);
        String reason = v.reason().orElse("");
        assertFalse(reason.isBlank(), "a denial of " + what + " says why");
        assertEquals(Optional.empty(), v.did(), "a denial names no DID: " + what);
        assertEquals(Optional.empty(), v.expiresAt(), "a denial has no end: " + what);
    }

    /** {@return a fresh agreement id, 64 random lowercase hex digits} */
    protected static String randomAgreementId() {
        return randomHex(32);
    }

    /** {@return a fresh DID, {@code did:op:} and 64 random lowercase hex digits} */
    protected static String randomDid() {
        return "did:op:" + randomHex(32);
    }

    /** {@return a fresh address, {@code 0x} and 40 random lowercase hex digits} */
    protected static String randomAddress() {
        return "0x" + randomHex(20);
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
