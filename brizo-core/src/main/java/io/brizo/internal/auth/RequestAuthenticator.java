package io.brizo.internal.auth;

import io.brizo.auth.NonceStore;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that a request was signed by the consumer it names, in the Brizo form, in Brizo's auth
 * token form ({@code <signature>-<unix seconds>}, the signature over {@code "<message>\n<unix
 * seconds>"}, valid for a limited time) or, when a nonce is given, in the replay-safe nonce form.
 *
 * <p>The signature is verified before the nonce is consumed, so that nobody but the consumer can
 * advance the consumer's nonce and lock out their pending requests.
 */
public final class RequestAuthenticator {
    /** Brizo's default first line of the auth token message. */
    public static final String DEFAULT_TOKEN_MESSAGE = "Ocean Protocol Authentication";
    /** Brizo's default auth token lifetime. */
    public static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofHours(24);

    private static final Pattern TOKEN = Pattern.compile("((?:0x)?[0-9a-fA-F]{130})-(\\d{1,12})");
    // Clocks of consumers and publishers differ a little; a token a bit from the future is fine.
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private final NonceStore nonces;
    private final boolean nonceRequired;
    private final String tokenMessage;
    private final Duration tokenLifetime;
    private final Clock clock;

    /**
     * Creates an authenticator.
     *
     * @param nonces where accepted nonces are recorded
     * @param nonceRequired whether requests without a nonce (the Brizo form, which can be replayed)
     *     are refused
     */
    public RequestAuthenticator(NonceStore nonces, boolean nonceRequired) {
        this(nonces, nonceRequired, DEFAULT_TOKEN_MESSAGE, DEFAULT_TOKEN_LIFETIME, Clock.systemUTC());
    }

    /**
     * Creates an authenticator that also accepts auth tokens.
     *
     * @param tokenMessage the first line of the signed token message
     * @param tokenLifetime how long a token stays valid after the time it names
     * @param clock the clock that decides whether a token has expired
     */
    public RequestAuthenticator(
            NonceStore nonces, boolean nonceRequired, String tokenMessage, Duration tokenLifetime, Clock clock) {
        this.nonces = Objects.requireNonNull(nonces, "nonces");
        this.nonceRequired = nonceRequired;
        this.tokenMessage = Objects.requireNonNull(tokenMessage, "tokenMessage");
        this.tokenLifetime = Objects.requireNonNull(tokenLifetime, "tokenLifetime");
        this.clock = Objects.requireNonNull(clock, "clock");
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
        Matcher token = signature == null ? null : TOKEN.matcher(signature.trim());
        if (token != null && token.matches()) {
            if (nonceOrNull != null) {
                throw BrizoException.invalid("an auth token cannot be combined with a nonce");
            }
            if (nonceRequired) {
                throw new BrizoException(
                        ErrorKind.UNAUTHENTICATED,
                        "this publisher accepts only nonce-signed requests, not auth tokens: add a nonce and sign"
                                + " keccak256(text + nonce) with personal-sign");
            }
            requireFresh(Long.parseLong(token.group(2)));
            requireSigner(address, Eip191.recoverBrizoForm(tokenMessage + "\n" + token.group(2), token.group(1)));
            return address;
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

    private void requireFresh(long issuedAtSeconds) {
        long now = clock.instant().getEpochSecond();
        if (issuedAtSeconds > now + CLOCK_SKEW.toSeconds()) {
            throw new BrizoException(ErrorKind.UNAUTHENTICATED, "the auth token is dated in the future");
        }
        if (now - issuedAtSeconds > tokenLifetime.toSeconds()) {
            throw new BrizoException(
                    ErrorKind.UNAUTHENTICATED, "the auth token has expired; sign a new one with the current time");
        }
    }

    private static void requireSigner(String address, String recovered) {
        if (!recovered.equals(address)) {
            throw new BrizoException(ErrorKind.UNAUTHENTICATED, "signature does not match consumerAddress");
        }
    }
}
