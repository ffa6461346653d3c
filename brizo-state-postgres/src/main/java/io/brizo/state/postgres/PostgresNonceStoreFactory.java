package io.brizo.state.postgres;

import io.brizo.auth.NonceStore;
import io.brizo.spi.BrizoException;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import java.util.List;
import java.util.Optional;

/**
 * Makes the {@link PostgresNonceStore} when {@code BRIZO_DATABASE_URL} is set; found through
 * {@link java.util.ServiceLoader} by {@link io.brizo.Brizo.Builder#discover()}.
 */
public final class PostgresNonceStoreFactory implements NonceStore.Factory {
    /** The nonce journal setting of core, which cannot be used together with a database. */
    static final String NONCE_FILE = "BRIZO_NONCE_FILE";

    /** For ServiceLoader. */
    public PostgresNonceStoreFactory() {}

    @Override
    public String name() {
        return "postgres";
    }

    /**
     * {@inheritDoc}
     *
     * @throws BrizoException of kind CONFIGURATION if {@code BRIZO_NONCE_FILE} is set as well, or a
     *     setting is malformed or refused by the database; of kind UNAVAILABLE if the database
     *     cannot be reached
     */
    @Override
    public Optional<NonceStore> create(Settings settings) {
        if (!settings.has(PostgresSettings.URL.name())) {
            return Optional.empty();
        }
        if (settings.has(NONCE_FILE)) {
            throw BrizoException.configuration("both BRIZO_DATABASE_URL and " + NONCE_FILE + " are set: nonces are"
                    + " kept either in the database, shared by every replica, or in one server's file; remove one");
        }
        return Optional.of(PostgresNonceStore.open(settings));
    }

    @Override
    public List<SettingKey> settingKeys() {
        return PostgresSettings.ALL;
    }
}
