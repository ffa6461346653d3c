package io.brizo.spi;

import java.util.Optional;

/**
 * Finds an asset's files by DID. Implementations must be thread-safe. The embedded default reads
 * a JSON file; a publisher may plug its own catalogue (a database, a metadata store).
 */
public interface AssetResolver {
    /** {@return the asset, or empty if this publisher does not serve {@code did}} */
    Optional<Asset> resolve(String did);

    /**
     * {@return whether this catalogue can {@linkplain #register register} new assets} The default
     * is false: a read-only catalogue (the publisher's own metadata store, say) refuses, and
     * features that create assets (derived assets of compute jobs) stay off.
     */
    default boolean canRegister() {
        return false;
    }

    /**
     * Adds {@code asset} to the catalogue, so that {@link #resolve} finds it from now on.
     *
     * <p>Idempotent: registering an asset equal to the one already under its DID does nothing,
     * so a caller may retry after a failure. A different asset under a DID already in the
     * catalogue is refused, and the catalogue is left as it was. Implementations must be
     * thread-safe, must never lose a concurrent registration, and must never reveal the asset's
     * file URLs (in messages or logs at INFO or above).
     *
     * @throws BrizoException of kind CONFLICT when another asset is registered under the DID; of
     *     kind CONFIGURATION if this catalogue cannot register (see {@link #canRegister()}); of
     *     kind UNAVAILABLE when the catalogue's store cannot be written now
     */
    default void register(Asset asset) {
        throw BrizoException.configuration(
                "this publisher's asset catalogue cannot register assets; use one that can, such as BRIZO_ASSETS");
    }
}
