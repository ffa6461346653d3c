package io.brizo.internal;

import io.brizo.spi.BrizoException;
import java.util.regex.Pattern;

/**
 * Validation of the request fields consume and compute share, so both refuse bad input with the
 * same INVALID_REQUEST messages.
 */
public final class RequestFields {
    private static final Pattern AGREEMENT_ID = Pattern.compile("(0x)?[0-9a-fA-F]{64}");
    private static final String DID_PREFIX = "did:op:";
    private static final Pattern DID = Pattern.compile("did:op:[0-9a-fA-F]{64}");
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
    private static final Pattern NONCE = Pattern.compile("\\d{1,18}");
    private static final Pattern INDEX = Pattern.compile("\\d{1,1000}");

    private RequestFields() {}

    /** {@return {@code value} trimmed} @throws BrizoException if it is missing or blank */
    public static String required(String value, String name) {
        if (value == null || value.isBlank()) {
            throw BrizoException.invalid(name + " is required");
        }
        return value.trim();
    }

    /** {@return a required {@code serviceAgreementId}, trimmed, exactly as sent otherwise} */
    public static String agreementId(String raw) {
        String id = required(raw, "serviceAgreementId");
        if (!AGREEMENT_ID.matcher(id).matches()) {
            throw BrizoException.invalid("serviceAgreementId must be 32 bytes as 64 hex digits");
        }
        return id;
    }

    /**
     * {@return a required {@code serviceAgreementId} of consume, trimmed, exactly as sent
     * otherwise: an agreement id, or a DID ({@code did:op:} and 64 hex digits, the original's
     * direct-permission form)}
     */
    public static String agreementIdOrDid(String raw) {
        String id = required(raw, "serviceAgreementId");
        if (id.regionMatches(true, 0, DID_PREFIX, 0, DID_PREFIX.length())) {
            if (!DID.matcher(id).matches()) {
                throw BrizoException.invalid("serviceAgreementId in the DID form must be did:op: and 64 hex digits");
            }
            return id;
        }
        return agreementId(id);
    }

    /** {@return whether {@code id}, as {@link #agreementIdOrDid} returned it, is the DID form} */
    public static boolean isDidForm(String id) {
        return id.regionMatches(true, 0, DID_PREFIX, 0, DID_PREFIX.length());
    }

    /** {@return whether {@code s} is an address: {@code 0x} and 40 hex digits, any case} */
    public static boolean isAddress(String s) {
        return s != null && ADDRESS.matcher(s).matches();
    }

    /** {@return a required {@code consumerAddress}, trimmed} */
    public static String address(String raw) {
        String address = required(raw, "consumerAddress");
        if (!isAddress(address)) {
            throw BrizoException.invalid("consumerAddress must be 0x followed by 40 hex digits");
        }
        return address;
    }

    /**
     * {@return a required {@code index}: a whole number from 0} Numbers beyond a long are {@link
     * Long#MAX_VALUE}, past any list, so callers answer them as they answer any index past the end.
     */
    public static long index(String raw) {
        String index = required(raw, "index");
        if (!INDEX.matcher(index).matches()) {
            throw BrizoException.invalid("index must be a whole number from 0");
        }
        try {
            return Long.parseLong(index);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** {@return the nonce, or null when {@code raw} is null} */
    public static Long nonce(String raw) {
        if (raw == null) {
            return null;
        }
        if (!NONCE.matcher(raw.trim()).matches()) {
            throw BrizoException.invalid("nonce must be a whole number from 0");
        }
        return Long.valueOf(raw.trim());
    }
}
