package io.brizo.spi;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What an authenticated request claims: that {@code consumer} may use {@code service} under
 * agreement {@code agreementId}.
 *
 * @param agreementId 64 lowercase hex digits, without {@code 0x}
 * @param consumer the consumer's address, {@code 0x} and 40 lowercase hex digits
 * @param service the service claimed
 */
public record AgreementClaim(String agreementId, String consumer, ServiceType service) {
    private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-f]{40}");

    /** Normalises to lower case and validates the forms. */
    public AgreementClaim {
        agreementId = Objects.requireNonNull(agreementId, "agreementId").toLowerCase(Locale.ROOT);
        if (agreementId.startsWith("0x")) {
            agreementId = agreementId.substring(2);
        }
        consumer = Objects.requireNonNull(consumer, "consumer").toLowerCase(Locale.ROOT);
        Objects.requireNonNull(service, "service");
        if (!ID.matcher(agreementId).matches()) {
            throw BrizoException.invalid("agreement id must be 32 bytes as 64 hex digits");
        }
        if (!ADDRESS.matcher(consumer).matches()) {
            throw BrizoException.invalid("consumer address must be 0x and 40 hex digits");
        }
    }
}
