package io.brizo;

import java.util.Optional;

/**
 * What a publisher's service says about itself at {@code GET /}.
 *
 * @param software the software's name
 * @param version the library version
 * @param providerAddress the provider's Ethereum address, or null if not configured
 */
public record ServiceInfo(String software, String version, String providerAddress) {
    /** {@return the provider address, if configured} */
    public Optional<String> providerAddressIfKnown() {
        return Optional.ofNullable(providerAddress);
    }
}
