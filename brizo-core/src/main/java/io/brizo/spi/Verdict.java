package io.brizo.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A verifier's answer: granted (with the asset's DID and the agreement's expiry, or the time the
 * agreement was made so that the asset's service timeout can apply) or denied (with a reason that
 * may be shown to the consumer).
 */
public final class Verdict {
    private final boolean granted;
    private final String did;
    private final Instant expiresAt;
    private final Instant agreedAt;
    private final String reason;

    private Verdict(boolean granted, String did, Instant expiresAt, Instant agreedAt, String reason) {
        this.granted = granted;
        this.did = did;
        this.expiresAt = expiresAt;
        this.agreedAt = agreedAt;
        this.reason = reason;
    }

    /**
     * {@return a grant}
     *
     * @param did the asset's DID, {@code did:op:} and 64 hex digits
     * @param expiresAt when the agreement ends, or null if it never does
     */
    public static Verdict granted(String did, Instant expiresAt) {
        return new Verdict(true, Objects.requireNonNull(did, "did"), expiresAt, null, null);
    }

    /**
     * {@return a grant whose expiry is the asset's service timeout after {@code agreedAt}}, as on
     * chain, where the agreement records when it was made and the asset declares the timeout
     *
     * @param did the asset's DID
     * @param agreedAt when the agreement was made (the time of its last update on chain)
     */
    public static Verdict grantedSince(String did, Instant agreedAt) {
        return new Verdict(
                true, Objects.requireNonNull(did, "did"), null, Objects.requireNonNull(agreedAt, "agreedAt"), null);
    }

    /** {@return a denial with a reason safe to show the consumer} */
    public static Verdict denied(String reason) {
        return new Verdict(false, null, null, null, Objects.requireNonNull(reason, "reason"));
    }

    /** {@return whether access is granted} */
    public boolean isGranted() {
        return granted;
    }

    /** {@return the asset's DID, present when granted} */
    public Optional<String> did() {
        return Optional.ofNullable(did);
    }

    /** {@return when the agreement expires; empty if it never does or when denied} */
    public Optional<Instant> expiresAt() {
        return Optional.ofNullable(expiresAt);
    }

    /** {@return when the agreement was made, if its expiry follows from the asset's timeout} */
    public Optional<Instant> agreedAt() {
        return Optional.ofNullable(agreedAt);
    }

    /** {@return why access was denied; empty when granted} */
    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    @Override
    public String toString() {
        return granted
                ? "Verdict{granted, did=" + did + ", expiresAt=" + expiresAt + "}"
                : "Verdict{denied: " + reason + "}";
    }
}
