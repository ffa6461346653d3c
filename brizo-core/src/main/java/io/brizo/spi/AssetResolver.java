package io.brizo.spi;

import java.util.Optional;

/**
 * Finds an asset's files by DID. Implementations must be thread-safe. The embedded default reads
 * a JSON file; a publisher may plug its own catalogue (a database, a metadata store).
 */
public interface AssetResolver {
    /** {@return the asset, or empty if this publisher does not serve {@code did}} */
    Optional<Asset> resolve(String did);
}
