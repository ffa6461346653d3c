package io.brizo.internal.compute;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.Settings;
import java.util.List;
import org.junit.jupiter.api.Test;

class ComputePolicyTest {
    static final String ALGORITHM_DID = "did:op:" + "a1".repeat(32);
    static final String CODE = "ab".repeat(32);
    static final AlgorithmContainer PYTHON = new AlgorithmContainer("python", "3.12", null, "python $ALGO");

    static ComputePolicy policy(String key, String value) {
        return ComputePolicy.from(Settings.builder()
                .put(key, value)
                .put(ComputePolicy.ALLOW_RAW.name(), "true")
                .build());
    }

    static BrizoException refused(Runnable r) {
        BrizoException e = assertThrows(BrizoException.class, r::run);
        assertEquals(ErrorKind.FORBIDDEN, e.kind(), e.getMessage());
        return e;
    }

    @Test
    void theContainerChecksumIsOceanNodesSha256OfEntrypointAndImageDigest() {
        // sha256("node $ALGO" + "sha256:2f1e...6a"), computed with sha256sum.
        AlgorithmContainer pinned = new AlgorithmContainer(
                "node", "20", "sha256:2f1e7a5a3c5a0e8f6ad8f4f0f2f95b8b7a6c1c2c6d0c6f1b5e9c3b2b0e4f5a6a", "node $ALGO");
        assertEquals("3aadae6ccf84715b81481763bc9906adcb4ad57cef3e8be5e487cbadf01cf296", pinned.checksum());
        // Without a digest the image reference stands in: sha256("python $ALGO" + "python:3.12").
        assertEquals("01bcb83e799dcb4c3c60bb48df06a4152aa4295a1712735980d6e3474bf2ce66", PYTHON.checksum());
    }

    @Test
    void aChecksumPairTrustsOnlyThatCodeInThatContainer() {
        ComputePolicy p = policy(ComputePolicy.TRUSTED.name(), "sha256:" + CODE + "/sha256:" + PYTHON.checksum());
        assertDoesNotThrow(() -> p.requireTrusted(null, null, CODE, PYTHON));
        assertDoesNotThrow(() -> p.requireTrusted(ALGORITHM_DID, null, CODE, PYTHON));
        refused(() -> p.requireTrusted(
                null, null, CODE, new AlgorithmContainer("python", "3.12", null, "python -c open('/tmp/pwn','w')")));
        refused(() ->
                p.requireTrusted(null, null, CODE, new AlgorithmContainer("python", "3.13", null, "python $ALGO")));
        refused(() ->
                p.requireTrusted(null, null, CODE, new AlgorithmContainer("pyth0n", "3.12", null, "python $ALGO")));
        refused(() -> p.requireTrusted(null, null, "cd".repeat(32), PYTHON));
    }

    @Test
    void aDidEntryTrustsThatPublishedAlgorithmOnlyAndATripleAlsoPinsItsChecksums() {
        ComputePolicy byDid = policy(ComputePolicy.TRUSTED.name(), ALGORITHM_DID);
        assertDoesNotThrow(() -> byDid.requireTrusted(ALGORITHM_DID, null, CODE, PYTHON));
        refused(() -> byDid.requireTrusted("did:op:" + "b2".repeat(32), null, CODE, PYTHON));
        refused(() -> byDid.requireTrusted(null, null, CODE, PYTHON));

        ComputePolicy triple = policy(
                ComputePolicy.TRUSTED.name(),
                ALGORITHM_DID.toUpperCase().replace("DID:OP:", "did:op:") + "/sha256:" + CODE + "/sha256:"
                        + PYTHON.checksum());
        assertDoesNotThrow(() -> triple.requireTrusted(ALGORITHM_DID, null, CODE, PYTHON));
        refused(() -> triple.requireTrusted(
                ALGORITHM_DID, null, CODE, new AlgorithmContainer("python", "3.12", null, "python $ALGO --evil")));
        refused(() -> triple.requireTrusted(null, null, CODE, PYTHON));
    }

    @Test
    void oceanNodesPublisherTrustedAlgorithmsListIsAccepted() {
        ComputePolicy p = policy(
                ComputePolicy.TRUSTED.name(),
                "[{\"did\": \"" + ALGORITHM_DID + "\", \"filesChecksum\": \"" + CODE
                        + "\", \"containerSectionChecksum\": \"" + PYTHON.checksum() + "\", \"serviceId\": \"1\"},"
                        + " {\"did\": \"*\", \"filesChecksum\": \"" + "cd".repeat(32)
                        + "\", \"containerSectionChecksum\": \"" + PYTHON.checksum() + "\"}]");
        assertEquals(2, p.trusted().size());
        assertDoesNotThrow(() -> p.requireTrusted(ALGORITHM_DID, null, CODE, PYTHON));
        assertDoesNotThrow(() -> p.requireTrusted(null, null, "cd".repeat(32), PYTHON));
        refused(() -> p.requireTrusted(null, null, CODE, PYTHON));
    }

    @Test
    void entriesThatDoNotPinWhatRunsFailAtStartNamingTheKeyAndTheFix() {
        for (String bad : List.of(
                "sha256:" + CODE,
                "sha256:" + CODE + "/",
                "sha256:" + CODE + "/sha256:abc",
                "did:op:1234",
                "[{\"did\": \"*\", \"filesChecksum\": \"*\", \"containerSectionChecksum\": \"*\"}]",
                "[{\"did\": \"" + ALGORITHM_DID + "\", \"filesChecksum\": \"" + CODE + "\"}]",
                "[\"" + ALGORITHM_DID + "\"]",
                "[{\"did\": \"x\", \"did\": \"" + ALGORITHM_DID + "\"}]")) {
            BrizoException e = assertThrows(BrizoException.class, () -> policy(ComputePolicy.TRUSTED.name(), bad), bad);
            assertEquals(ErrorKind.CONFIGURATION, e.kind());
            assertTrue(
                    e.getMessage().contains("BRIZO_COMPUTE_TRUSTED_ALGORITHMS")
                            && e.getMessage().contains("container"),
                    e.getMessage());
        }
    }

    @Test
    void trustedPublishersLimitPublishedAlgorithmsToTheirs() {
        String mine = "0x" + "11".repeat(20);
        ComputePolicy p = policy(
                ComputePolicy.TRUSTED_PUBLISHERS.name(), mine.toUpperCase().replace("0X", "0x"));
        assertDoesNotThrow(() -> p.requireTrusted(ALGORITHM_DID, mine, CODE, PYTHON));
        refused(() -> p.requireTrusted(ALGORITHM_DID, "0x" + "22".repeat(20), CODE, PYTHON));
        refused(() -> p.requireTrusted(ALGORITHM_DID, null, CODE, PYTHON));
        assertThrows(BrizoException.class, () -> policy(ComputePolicy.TRUSTED_PUBLISHERS.name(), "0x1234"));
    }

    @Test
    void aDigestIsVouchedForByTheImageNameOrThatDigestNeverByATag() {
        String digest = "sha256:" + "0f".repeat(32);
        AlgorithmContainer pinned = new AlgorithmContainer("python", "3.12", digest, "python $ALGO");
        assertDoesNotThrow(() -> policy(ComputePolicy.IMAGES.name(), "python").requireImage(pinned));
        assertDoesNotThrow(
                () -> policy(ComputePolicy.IMAGES.name(), "python@" + digest).requireImage(pinned));
        refused(() -> policy(ComputePolicy.IMAGES.name(), "python:3.12").requireImage(pinned));
        refused(() -> policy(ComputePolicy.IMAGES.name(), "python@" + digest).requireImage(PYTHON));
        assertDoesNotThrow(
                () -> policy(ComputePolicy.IMAGES.name(), "python:3.12").requireImage(PYTHON));
    }
}
