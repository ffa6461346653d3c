package io.brizo.state.postgres;

import io.brizo.auth.LinkLedger;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import java.util.List;
import java.util.Optional;

/**
 * Makes the {@link PostgresLinkLedger} when {@code BRIZO_DATABASE_URL} is set; found through
 * {@link java.util.ServiceLoader} by {@link io.brizo.Brizo.Builder#discover()}.
 */
public final class PostgresLinkLedgerFactory implements LinkLedger.Factory {
    /** For ServiceLoader. */
    public PostgresLinkLedgerFactory() {}

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public Optional<LinkLedger> create(Settings settings) {
        if (!settings.has(PostgresSettings.URL.name())) {
            return Optional.empty();
        }
        return Optional.of(PostgresLinkLedger.open(settings));
    }

    @Override
    public List<SettingKey> settingKeys() {
        return PostgresSettings.ALL;
    }
}
