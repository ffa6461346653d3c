package io.brizo.auth;

import io.brizo.internal.auth.FileNonceStore;
import io.brizo.internal.auth.InMemoryNonceStore;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The last accepted nonce of each consumer address, so that a nonce-signed request cannot be
 * replayed.
 *
 * <p>Implementations must be safe for concurrent use and must decide atomically: of two calls
 * with the same address and nonce, at most one returns {@code true}, also across the servers that
 * share the store. A nonce must be durably recorded before {@code true} is returned; if it cannot
 * be, throw a {@link io.brizo.spi.BrizoException} of kind {@link io.brizo.spi.ErrorKind#UNAVAILABLE}
 * rather than accept it.
 *
 * <p>A store shared by several servers (a database) is found through {@link Factory} with {@link
 * io.brizo.Brizo.Builder#discover()}, like storage drivers and verifiers.
 */
public interface NonceStore extends AutoCloseable {

    /**
     * Accepts {@code nonce} for {@code address} if it is strictly greater than the last nonce
     * accepted for that address (any nonce is accepted for a new address), and records it.
     *
     * @param address an Ethereum address, {@code 0x} and 40 hex digits; compared case-insensitively
     * @param nonce the nonce the request was signed with
     * @return {@code true} if the nonce was accepted and recorded, {@code false} if it was not
     *     greater than the last accepted one
     * @throws io.brizo.spi.BrizoException {@link io.brizo.spi.ErrorKind#INVALID_REQUEST} for a
     *     malformed address; {@link io.brizo.spi.ErrorKind#UNAVAILABLE} if the nonce could not be
     *     recorded, in which case it was not accepted
     */
    boolean tryAccept(String address, long nonce);

    /** Releases the store's resources. The default does nothing. */
    @Override
    default void close() {}

    /** {@return a store that keeps nonces in memory only; they are forgotten on restart} */
    static NonceStore inMemory() {
        return new InMemoryNonceStore();
    }

    /**
     * Opens, or creates, a store backed by a journal file that survives restarts and crashes.
     * Only one store, in one process, may have the file open at a time; close it when done.
     *
     * @param path the journal file; a sibling {@code <name>.lock} file is created next to it
     * @return the open store
     * @throws io.brizo.spi.BrizoException {@link io.brizo.spi.ErrorKind#CONFIGURATION} if the file
     *     cannot be opened, is not a nonce journal, is corrupt, or is in use by another store
     */
    static NonceStore file(Path path) {
        return FileNonceStore.open(path);
    }

    /**
     * Creates a {@link NonceStore} from settings; found through {@link java.util.ServiceLoader},
     * as {@link io.brizo.spi.StorageDriver.Factory} is. With {@link
     * io.brizo.Brizo.Builder#discover()}, and no store passed to {@link
     * io.brizo.Brizo.Builder#nonceStore(NonceStore)}, the first factory (by priority, highest
     * first, then by name) whose settings are set makes the store; if none does, {@code
     * BRIZO_NONCE_FILE} or memory is used. The facade closes a store a factory made.
     */
    interface Factory {
        /** {@return the store's name, such as {@code postgres}} */
        String name();

        /**
         * {@return the store, or empty if the settings do not configure it here}
         *
         * @throws io.brizo.spi.BrizoException of kind CONFIGURATION when its settings are set but
         *     wrong (naming the setting, never a secret value), or conflict with {@code
         *     BRIZO_NONCE_FILE}; of kind UNAVAILABLE when the store cannot be reached at start
         */
        Optional<NonceStore> create(Settings settings);

        /** {@return the selection priority when several are configured; higher wins} */
        default int priority() {
            return 0;
        }

        /** {@return the settings this factory understands} */
        default List<SettingKey> settingKeys() {
            return List.of();
        }
    }
}
