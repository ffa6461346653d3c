package io.brizo;

import java.util.Objects;
import java.util.Optional;

/**
 * The receipt of an ended compute job, as {@link Brizo#computeReceipt} gives it and the receipt
 * route serves it.
 *
 * <p>{@link #json()} is the envelope {@code {"hash", "signature", "signer", "statement"}} in RFC
 * 8785 canonical form. {@code statement} is an in-toto Statement v1 ({@code
 * https://in-toto.io/Statement/v1}) with predicate type {@code
 * https://brizo.io/compute-receipt/v1}; {@code hash} is keccak256 of the statement's RFC 8785
 * bytes; {@code signature} is the provider's EIP-191 personal signature of those 32 bytes, so
 * that {@code recover(personal_sign(hash))} gives the provider address announced at {@code GET
 * /}. The README describes every field.
 *
 * @param jobId the job
 * @param json the receipt, canonical JSON
 * @param hash {@code 0x} and 64 hex digits: keccak256 of the statement's canonical bytes
 * @param signature {@code 0x} and 130 hex digits, or null when the provider has no key
 * @param signer the signer's lowercase address, or null when unsigned
 */
public record ComputeReceipt(String jobId, String json, String hash, String signature, String signer) {
    /** Validates the receipt. */
    public ComputeReceipt {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(hash, "hash");
    }

    /** {@return whether the provider signed the receipt} */
    public boolean signed() {
        return signature != null;
    }

    /** {@return the signature, if the provider signed the receipt} */
    public Optional<String> signatureIfSigned() {
        return Optional.ofNullable(signature);
    }
}
