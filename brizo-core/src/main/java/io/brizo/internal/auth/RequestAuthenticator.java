package io.brizo.internal.auth;

import io.brizo.auth.NonceStore;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.util.Objects;

/**
 * Checks that a request was signed by the consumer it names, in the Brizo form or, when a nonce
 * is given, in the replay-safe nonce form.
 *
 * <p>The signature is verified before the nonce is consumed, so that nobody but the consumer can
 * advance the consumer's nonce and lock out their pending requests.
 */
public final class RequestAuthenticator {
    private final NonceStore nonces;
    private final boolean nonceRequired;

    /**
     * Creates an authenticator.
     *
     * @param nonces where accepted nonces are recorded
     * @param nonceRequired whether requests without a nonce (the Brizo form, which can be replayed)
     *     are refused
     */
    public RequestAuthenticator(NonceStore nonces, boolean nonceRequired) {
        this.nonces = Objects.requireNonNull(nonces, "nonces");
        this.nonceRequired = nonceRequired;
    }

    /**
     * Authenticates one request.
     *
     * @param consumerAddress the address the request claims to come from
     * @param signedText the request's fields concatenated as the protocol prescribes, without the
     *     nonce
     * @param signature the 65-byte personal-sign signature as hex
     * @param nonceOrNull the nonce for the nonce form, or {@code null} for the Brizo form
     * @return the consumer address as lowercase {@code 0x} hex
     * @throws BrizoException {@link ErrorKind#INVALID_REQUEST} for a malformed address, signature or
     *     nonce; {@link ErrorKind#UNAUTHENTICATED} if the signature is not the consumer's, the nonce
     *     was already used or a required nonce is missing; {@link ErrorKind#UNAVAILABLE} if the
     *     nonce could not be recorded
     */
    public String authenticate(String consumerAddress, String signedText, String signature, Long nonceOrNull) {
        String address = Eip191.normaliseAddress(consumerAddress);
        if (signedText == null) {
            throw BrizoException.invalid("the signed text is missing");
        }
        if (nonceOrNull == null) {
            if (nonceRequired) {
                throw new BrizoException(
                        ErrorKind.UNAUTHENTICATED,
                        "this publisher accepts only nonce-signed requests: add a nonce (for example the"
                                + " current time in milliseconds, greater than any nonce used before) and sign"
                                + " keccak256(text + nonce) with personal-sign");
            }
            requireSigner(address, Eip191.recoverBrizoForm(signedText, signature));
            return address;
        }
        long nonce = nonceOrNull;
        if (nonce < 0) {
            throw BrizoException.invalid("nonce must not be negative");
        }
        requireSigner(address, Eip191.recoverNonceForm(signedText, nonce, signature));
        if (!nonces.tryAccept(address, nonce)) {
            throw new BrizoException(
                    ErrorKind.UNAUTHENTICATED,
                    "nonce " + nonce + " is not greater than the last one accepted for this address;"
                            + " sign again with a new nonce");
        }
        return address;
    }

    private static void requireSigner(String address, String recovered) {
        if (!recovered.equals(address)) {
            throw new BrizoException(ErrorKind.UNAUTHENTICATED, "signature does not match consumerAddress");
        }
    }
}
