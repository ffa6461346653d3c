package io.brizo.verifier.keeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ServiceAgreementVerifier;
import io.brizo.spi.Settings;
import io.brizo.spi.Verdict;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/**
 * Direct permissions on a DID with the keeper verifier, against a real local chain (anvil) whose
 * DIDRegistry has the original's functions, events and owner checks: the provider registers the
 * DID and grants its owner permission on chain; verifyPermission asks getPermission.
 */
class KeeperPermissionTest {
    /** anvil's (and hardhat's) published development account 1: it holds nothing anywhere real. */
    static final String PROVIDER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

    static final String PROVIDER = Credentials.create(PROVIDER_KEY).getAddress().toLowerCase(Locale.ROOT);

    static LocalChain chain;

    @BeforeAll
    static void startChain() throws Exception {
        chain = LocalChain.start();
    }

    @AfterAll
    static void stopChain() {
        if (chain != null) {
            chain.close();
        }
    }

    static ServiceAgreementVerifier provider() {
        return provider(chain);
    }

    /** {@return a keeper verifier of {@code chain} that signs as the provider (account 1)} */
    static ServiceAgreementVerifier provider(LocalChain chain) {
        return KeeperAgreementVerifierTest.verifier(KeeperAgreementVerifierTest.settings(chain, chain.rpcUrl())
                .put("KEEPER_CHAIN_ID", "1337")
                .put("PROVIDER_KEY", PROVIDER_KEY)
                .build());
    }

    static ServiceAgreementVerifier readOnly() {
        return KeeperAgreementVerifierTest.verifier(KeeperAgreementVerifierTest.settings(chain, chain.rpcUrl())
                .put("KEEPER_CHAIN_ID", "1337")
                .build());
    }

    static String newDid() {
        return "did:op:" + KeeperAgreementVerifierTest.randomHex32();
    }

    @Test
    void theProviderRegistersTheDidAndGrantsItsOwnerWhoIsThenGrantedAndNobodyElse() throws Exception {
        String did = newDid();
        String owner = KeeperAgreementVerifierTest.randomAddress();
        ServiceAgreementVerifier verifier = provider();
        assertTrue(verifier.canGrant());
        assertFalse(verifier.verifyPermission(did, owner).isGranted());

        verifier.grantPermission(did, owner);

        assertEquals(PROVIDER, chain.didOwner(did), "the provider owns the DID on chain");
        assertTrue(chain.isDidProvider(did, PROVIDER));
        assertTrue(chain.didPermission(did, owner));
        Verdict granted = readOnly().verifyPermission(did, owner);
        assertTrue(granted.isGranted(), granted.toString());
        assertEquals(did, granted.did().orElseThrow());
        assertTrue(granted.expiresAt().isEmpty());
        Verdict stranger = readOnly().verifyPermission(did, KeeperAgreementVerifierTest.randomAddress());
        assertFalse(stranger.isGranted());
        assertFalse(readOnly().verifyPermission(newDid(), owner).isGranted(), "another DID");
    }

    @Test
    void aProviderWhoseKeyIsAKeystoreInProviderEncryptedKeySignsTheGrantTransactions() throws Exception {
        // The same account 1, as a keystore v3 that web3j writes with its light scrypt parameters.
        String password = "keystore password of this test";
        String keystore = org.web3j.protocol.ObjectMapperFactory.getObjectMapper()
                .writeValueAsString(org.web3j.crypto.Wallet.createLight(
                        password, Credentials.create(PROVIDER_KEY).getEcKeyPair()));
        ServiceAgreementVerifier verifier =
                KeeperAgreementVerifierTest.verifier(KeeperAgreementVerifierTest.settings(chain, chain.rpcUrl())
                        .put("KEEPER_CHAIN_ID", "1337")
                        .put("PROVIDER_ENCRYPTED_KEY", keystore)
                        .put("PROVIDER_PASSWORD", password)
                        .build());
        String did = newDid();
        String owner = KeeperAgreementVerifierTest.randomAddress();
        long before = chain.transactionCount(PROVIDER);

        assertTrue(verifier.canGrant());
        verifier.grantPermission(did, owner);

        assertEquals(before + 2, chain.transactionCount(PROVIDER), "registration and grant, sent by account 1");
        assertEquals(PROVIDER, chain.didOwner(did));
        assertTrue(chain.didPermission(did, owner));
    }

    @Test
    void grantingAgainSendsNoTransactionAndAnotherOwnerNeedsOnlyTheGrant() throws Exception {
        String did = newDid();
        String owner = KeeperAgreementVerifierTest.randomAddress();
        ServiceAgreementVerifier verifier = provider();
        long before = chain.transactionCount(PROVIDER);
        verifier.grantPermission(did, owner);
        assertEquals(before + 2, chain.transactionCount(PROVIDER), "registration and grant");
        verifier.grantPermission(did, owner.toUpperCase(Locale.ROOT).replace("0X", "0x"));
        assertEquals(before + 2, chain.transactionCount(PROVIDER), "nothing to do");
        String second = KeeperAgreementVerifierTest.randomAddress();
        verifier.grantPermission(did, second);
        assertEquals(before + 3, chain.transactionCount(PROVIDER), "the provider owns the DID: only the grant");
        assertTrue(readOnly().verifyPermission(did, second).isGranted());
    }

    @Test
    void aDidOwnedByAnotherAccountIsAConflictAndNothingIsGranted() throws Exception {
        String did = newDid();
        chain.registerDid(did); // the deployer's account owns it
        String owner = KeeperAgreementVerifierTest.randomAddress();
        long before = chain.transactionCount(PROVIDER);
        BrizoException e = assertThrows(BrizoException.class, () -> provider().grantPermission(did, owner));
        assertEquals(ErrorKind.CONFLICT, e.kind());
        assertEquals(before, chain.transactionCount(PROVIDER));
        assertFalse(chain.didPermission(did, owner));
        assertFalse(readOnly().verifyPermission(did, owner).isGranted());
    }

    @Test
    void theRegistryRefusesAGrantFromAnyoneButTheDidsOwner() throws Exception {
        String did = newDid();
        String owner = KeeperAgreementVerifierTest.randomAddress();
        provider().grantPermission(did, owner);
        // The deployer neither owns the DID nor can register over the provider.
        assertThrows(IllegalStateException.class, () -> chain.grantDidPermission(did, owner));
    }

    @Test
    void withoutAProviderKeyItCannotGrantButStillVerifies() throws Exception {
        ServiceAgreementVerifier verifier = readOnly();
        assertFalse(verifier.canGrant());
        String did = newDid();
        BrizoException e = assertThrows(
                BrizoException.class, () -> verifier.grantPermission(did, KeeperAgreementVerifierTest.randomAddress()));
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("PROVIDER_KEY"), e.getMessage());
        String owner = KeeperAgreementVerifierTest.randomAddress();
        chain.grantDidPermission(did, owner);
        assertTrue(verifier.verifyPermission(did, owner).isGranted());
    }

    @Test
    void aMalformedProviderKeyIsRefusedWithoutShowingIt() {
        String bad = "0x" + "zz".repeat(32);
        BrizoException e = assertThrows(BrizoException.class, () -> new KeeperAgreementVerifierFactory()
                .create(KeeperAgreementVerifierTest.settings(chain, chain.rpcUrl())
                        .put("PROVIDER_KEY", bad)
                        .build()));
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("PROVIDER_KEY"), e.getMessage());
        assertFalse(e.getMessage().contains("zzzz"), e.getMessage());
    }

    @Test
    void chainDownIsRetryableUnavailableNeverAGrant() throws Exception {
        try (ClosedPort closed = ClosedPort.open()) {
            Settings settings = KeeperAgreementVerifierTest.settings(chain, closed.url())
                    .put("PROVIDER_KEY", PROVIDER_KEY)
                    .build();
            ServiceAgreementVerifier verifier = KeeperAgreementVerifierTest.verifier(settings);
            String did = newDid();
            String owner = KeeperAgreementVerifierTest.randomAddress();
            BrizoException e = assertThrows(BrizoException.class, () -> verifier.verifyPermission(did, owner));
            assertEquals(ErrorKind.UNAVAILABLE, e.kind());
            assertTrue(e.retryable());
            BrizoException g = assertThrows(BrizoException.class, () -> verifier.grantPermission(did, owner));
            assertEquals(ErrorKind.UNAVAILABLE, g.kind());
            assertTrue(g.retryable());
        }
    }
}
