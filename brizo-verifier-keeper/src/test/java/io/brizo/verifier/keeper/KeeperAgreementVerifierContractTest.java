package io.brizo.verifier.keeper;

import io.brizo.spi.ServiceAgreementVerifier;
import io.brizo.spi.ServiceType;
import io.brizo.testkit.ServiceAgreementVerifierContract;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * The testkit's verifier contract against the keeper verifier on a real local chain (anvil) with
 * the project's test contracts: grants are transactions, an unreachable node a closed port.
 */
class KeeperAgreementVerifierContractTest extends ServiceAgreementVerifierContract {
    static LocalChain chain;
    ClosedPort closed;

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

    @AfterEach
    void closePort() throws Exception {
        if (closed != null) {
            closed.close();
        }
    }

    @Override
    protected ServiceAgreementVerifier verifier() {
        // Uncached, so a grant made after a denial is seen at once, as the contract expects.
        return KeeperAgreementVerifierTest.verifier(KeeperAgreementVerifierTest.settings(chain, chain.rpcUrl())
                .put("KEEPER_CHAIN_ID", Long.toString(LocalChain.CHAIN_ID))
                .put("KEEPER_CACHE_TTL", "0")
                // The provider's key, so the suite's grantPermission test runs on chain.
                .put("PROVIDER_KEY", KeeperPermissionTest.PROVIDER_KEY)
                .build());
    }

    @Override
    protected boolean permit(String did, String grantee) throws Exception {
        // The deployer's account registers the DID (becoming its owner) and grants, as an owner does.
        chain.grantDidPermission(did, grantee);
        return true;
    }

    @Override
    protected void grant(String agreementId, String did, String consumer, ServiceType service) throws Exception {
        String didHex = did.substring("did:op:".length());
        chain.createAgreement(agreementId, didHex, List.of(consumer));
        if (service == ServiceType.ACCESS) {
            chain.grantAccess(consumer, didHex);
        } else {
            chain.triggerCompute(didHex, consumer);
        }
    }

    @Override
    protected Optional<ServiceAgreementVerifier> unreachableVerifier() throws Exception {
        closed = ClosedPort.open();
        return Optional.of(KeeperAgreementVerifierTest.verifier(
                KeeperAgreementVerifierTest.settings(chain, closed.url()).build()));
    }
}
