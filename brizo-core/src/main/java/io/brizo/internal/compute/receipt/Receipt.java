package io.brizo.internal.compute.receipt;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * A compute job's receipt: its in-toto statement, the keccak256 of the statement's canonical
 * bytes, and the provider's signature over that hash (null when unsigned).
 *
 * @param jobId the job
 * @param statement the in-toto statement; not to be modified
 * @param hash {@code 0x} and the 64 hex digits of keccak256 over the statement's RFC 8785 bytes
 * @param signature the EIP-191 personal signature of the 32 hash bytes, {@code 0x} and 130 hex
 *     digits, or null when the provider has no key
 * @param signer the signer's lowercase address, or null when unsigned
 */
public record Receipt(String jobId, ObjectNode statement, String hash, String signature, String signer) {
    /** Validates the receipt. */
    public Receipt {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(statement, "statement");
        Objects.requireNonNull(hash, "hash");
    }

    /**
     * {@return the envelope {@code {"hash", "signature", "signer", "statement"}}, as RFC 8785
     * canonical JSON}
     */
    public String json() {
        ObjectNode envelope = JsonNodeFactory.instance.objectNode();
        envelope.set("statement", statement);
        envelope.put("hash", hash);
        envelope.put("signature", signature);
        envelope.put("signer", signer);
        return CanonicalJson.text(envelope);
    }
}
