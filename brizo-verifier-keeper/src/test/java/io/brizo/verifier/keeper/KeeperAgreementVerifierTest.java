package io.brizo.verifier.keeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.AgreementClaim;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ServiceAgreementVerifier;
import io.brizo.spi.ServiceType;
import io.brizo.spi.Settings;
import io.brizo.spi.Verdict;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Keys;

/** The keeper verifier against a real local chain (anvil) with the project's test contracts. */
class KeeperAgreementVerifierTest {
    static final SecureRandom RANDOM = new SecureRandom();
    static LocalChain chain;

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
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static String randomAddress() {
        try {
            return "0x" + Keys.getAddress(Keys.createEcKeyPair());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Settings.Builder settings(String url) {
        return settings(chain, url);
    }

    /** {@return the keeper settings for {@code chain}'s contracts, reached through {@code url}} */
    static Settings.Builder settings(LocalChain chain, String url) {
        return Settings.builder()
                .put("KEEPER_URL", url)
                .put("KEEPER_AGREEMENT_STORE_MANAGER", chain.agreementStoreManager())
                .put("KEEPER_ACCESS_SECRET_STORE_CONDITION", chain.accessSecretStoreCondition())
                .put("KEEPER_COMPUTE_EXECUTION_CONDITION", chain.computeExecutionCondition())
                .put("KEEPER_DID_REGISTRY", chain.didRegistry());
    }

    static ServiceAgreementVerifier verifier(Settings settings) {
        return new KeeperAgreementVerifierFactory().create(settings).orElseThrow();
    }

    static ServiceAgreementVerifier verifier() {
        return verifier(settings(chain.rpcUrl()).put("KEEPER_CHAIN_ID", "1337").build());
    }

    @Test
    void consumerWithAnAgreementAndAccessGrantIsGrantedWithTheDidAndTheAgreementsTime() throws Exception {
        String id = randomHex32();
        String did = randomHex32();
        String consumer = randomAddress();
        chain.createAgreement(id, did, List.of(consumer));
        chain.grantAccess(consumer, did);
        Verdict v = verifier().verify(new AgreementClaim(id, consumer, ServiceType.ACCESS));
        assertTrue(v.isGranted(), v.toString());
        assertEquals("did:op:" + did, v.did().orElseThrow());
        Instant agreedAt = v.agreedAt().orElseThrow();
        assertTrue(Math.abs(Duration.between(agreedAt, Instant.now()).toMinutes()) < 10, agreedAt.toString());
    }

    @Test
    void actorWithoutTheAccessConditionIsDenied() throws Exception {
        String id = randomHex32();
        String did = randomHex32();
        String consumer = randomAddress();
        chain.createAgreement(id, did, List.of(consumer));
        Verdict v = verifier().verify(new AgreementClaim(id, consumer, ServiceType.ACCESS));
        assertFalse(v.isGranted());
        assertTrue(v.reason().orElseThrow().contains("condition"), v.toString());
    }

    @Test
    void anotherConsumerOfTheSameAgreementIsDenied() throws Exception {
        String id = randomHex32();
        String did = randomHex32();
        String consumer = randomAddress();
        String other = randomAddress();
        chain.createAgreement(id, did, List.of(consumer));
        chain.grantAccess(consumer, did);
        Verdict v = verifier().verify(new AgreementClaim(id, other, ServiceType.ACCESS));
        assertFalse(v.isGranted());
        assertTrue(v.reason().orElseThrow().contains("not a party"), v.toString());
    }

    @Test
    void accessConditionForTheDidWithoutBeingAnActorIsDenied() throws Exception {
        String id = randomHex32();
        String did = randomHex32();
        String consumer = randomAddress();
        chain.createAgreement(id, did, List.of(randomAddress()));
        chain.grantAccess(consumer, did);
        assertFalse(verifier()
                .verify(new AgreementClaim(id, consumer, ServiceType.ACCESS))
                .isGranted());
    }

    @Test
    void unknownAgreementIsDenied() {
        Verdict v = verifier().verify(new AgreementClaim(randomHex32(), randomAddress(), ServiceType.ACCESS));
        assertFalse(v.isGranted());
        assertTrue(v.reason().orElseThrow().contains("no service agreement"), v.toString());
    }

    @Test
    void directDidPermissionGrantsAccessWithoutExpiry() throws Exception {
        String id = randomHex32();
        String did = randomHex32();
        String consumer = randomAddress();
        chain.createAgreement(id, did, List.of(randomAddress()));
        chain.grantDidPermission(did, consumer);
        Verdict v = verifier().verify(new AgreementClaim(id, consumer, ServiceType.ACCESS));
        assertTrue(v.isGranted(), v.toString());
        assertTrue(v.agreedAt().isEmpty());
        assertTrue(v.expiresAt().isEmpty());
    }

    @Test
    void computeIsGrantedOnlyOnceComputeWasTriggered() throws Exception {
        String id = randomHex32();
        String did = randomHex32();
        String consumer = randomAddress();
        chain.createAgreement(id, did, List.of(consumer));
        ServiceAgreementVerifier verifier = verifier();
        AgreementClaim claim = new AgreementClaim(id, consumer, ServiceType.COMPUTE);
        assertFalse(verifier.verify(claim).isGranted(), "denials are not cached");
        chain.triggerCompute(did, consumer);
        assertTrue(verifier.verify(claim).isGranted());
        assertFalse(verifier.verify(new AgreementClaim(id, consumer, ServiceType.ACCESS))
                .isGranted());
    }

    @Test
    void grantsAreCachedSoTheyOutliveABriefNodeOutage() throws Exception {
        String id = randomHex32();
        String did = randomHex32();
        String consumer = randomAddress();
        chain.createAgreement(id, did, List.of(consumer));
        chain.grantAccess(consumer, did);
        AgreementClaim claim = new AgreementClaim(id, consumer, ServiceType.ACCESS);
        TcpForwarder link = new TcpForwarder(java.net.URI.create(chain.rpcUrl()).getPort());
        TcpForwarder uncachedLink =
                new TcpForwarder(java.net.URI.create(chain.rpcUrl()).getPort());
        ServiceAgreementVerifier cached = verifier(settings(link.url()).build());
        ServiceAgreementVerifier uncached = verifier(
                settings(uncachedLink.url()).put("KEEPER_CACHE_TTL", "0").build());
        assertTrue(cached.verify(claim).isGranted());
        assertTrue(uncached.verify(claim).isGranted());
        link.close();
        uncachedLink.close();
        assertTrue(cached.verify(claim).isGranted());
        BrizoException e = assertThrows(BrizoException.class, () -> uncached.verify(claim));
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
    }

    @Test
    void nodeDownIsRetryableUnavailableNeverAGrant() throws Exception {
        try (ClosedPort closed = ClosedPort.open()) {
            ServiceAgreementVerifier verifier = verifier(settings(closed.url()).build());
            BrizoException e = assertThrows(
                    BrizoException.class,
                    () -> verifier.verify(new AgreementClaim(randomHex32(), randomAddress(), ServiceType.ACCESS)));
            assertEquals(ErrorKind.UNAVAILABLE, e.kind());
            assertTrue(e.retryable());
            assertFalse(e.getMessage().contains(Integer.toString(closed.port())), e.getMessage());
        }
    }

    @Test
    void availabilityCheckPassesWhileTheNodeAnswersAndIsRetryableUnavailableWhenItIsDown() throws Exception {
        verifier().checkAvailable();
        try (ClosedPort closed = ClosedPort.open()) {
            BrizoException e = assertThrows(
                    BrizoException.class,
                    () -> verifier(settings(closed.url()).build()).checkAvailable());
            assertEquals(ErrorKind.UNAVAILABLE, e.kind());
            assertTrue(e.retryable());
        }
    }

    @Test
    void availabilityCheckOfANodeOfAnotherChainIsAConfigurationError() {
        BrizoException e = assertThrows(BrizoException.class, () -> verifier(
                        settings(chain.rpcUrl()).put("KEEPER_CHAIN_ID", "1").build())
                .checkAvailable());
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
    }

    @Test
    void nodeTooSlowTimesOutAsRetryableUnavailable() throws Exception {
        try (SilentRpcServer silent = SilentRpcServer.start()) {
            ServiceAgreementVerifier verifier = verifier(
                    settings(silent.url()).put("KEEPER_TIMEOUT", "300ms").build());
            long started = System.nanoTime();
            BrizoException e = assertThrows(
                    BrizoException.class,
                    () -> verifier.verify(new AgreementClaim(randomHex32(), randomAddress(), ServiceType.ACCESS)));
            long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
            assertEquals(ErrorKind.UNAVAILABLE, e.kind());
            assertTrue(e.retryable());
            assertTrue(millis < 5_000, "gave up after " + millis + " ms");
        }
    }

    @Test
    void nodeOfAnotherChainIsAConfigurationError() {
        ServiceAgreementVerifier verifier =
                verifier(settings(chain.rpcUrl()).put("KEEPER_CHAIN_ID", "1").build());
        BrizoException e = assertThrows(
                BrizoException.class,
                () -> verifier.verify(new AgreementClaim(randomHex32(), randomAddress(), ServiceType.ACCESS)));
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
    }

    @Test
    void wrongContractAddressIsUnavailableNotAGrant() {
        ServiceAgreementVerifier verifier = verifier(settings(chain.rpcUrl())
                .put("KEEPER_AGREEMENT_STORE_MANAGER", randomAddress())
                .build());
        BrizoException e = assertThrows(
                BrizoException.class,
                () -> verifier.verify(new AgreementClaim(randomHex32(), randomAddress(), ServiceType.ACCESS)));
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
    }

    @Test
    void missingContractAddressesAreNamedAtBuildTime() {
        BrizoException e = assertThrows(BrizoException.class, () -> new KeeperAgreementVerifierFactory()
                .create(Settings.builder()
                        .putAll(Map.of("KEEPER_URL", chain.rpcUrl()))
                        .build()));
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("KEEPER_AGREEMENT_STORE_MANAGER"), e.getMessage());
        assertTrue(e.getMessage().contains("KEEPER_DID_REGISTRY"), e.getMessage());
    }
}
