package io.brizo.state.postgres;

import io.brizo.spi.SettingKey;
import java.time.Duration;
import java.util.List;

/** The settings of brizo-state-postgres, with their defaults. */
public final class PostgresSettings {
    /** The database's JDBC URL; setting it selects this module's nonce store. */
    public static final SettingKey URL = new SettingKey(
            "BRIZO_DATABASE_URL",
            null,
            true,
            "JDBC URL of the PostgreSQL database shared by the replicas, jdbc:postgresql://host:port/database (it may"
                    + " carry ?user=...); set = nonces and the link ledger are kept there");
    /** The database user. */
    public static final SettingKey USER = SettingKey.of(
            "BRIZO_DATABASE_USER", null, "PostgreSQL user, unless the URL carries one; default: the driver's");
    /** The database password. */
    public static final SettingKey PASSWORD = SettingKey.secret("BRIZO_DATABASE_PASSWORD", "PostgreSQL password");
    /** The pool size. */
    public static final SettingKey POOL_SIZE = SettingKey.of(
            "BRIZO_DATABASE_POOL_SIZE", "10", "connections this server keeps open to the database (1 to 1000)");
    /** The connection timeout. */
    public static final SettingKey TIMEOUT = SettingKey.of(
            "BRIZO_DATABASE_TIMEOUT",
            "5s",
            "how long a request waits for a database connection before it is refused with 503 (at least 1s); reads"
                    + " time out after twice as long");

    /** {@link #POOL_SIZE}'s default. */
    public static final int DEFAULT_POOL_SIZE = 10;

    /** {@link #TIMEOUT}'s default. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** Every key above. */
    public static final List<SettingKey> ALL = List.of(URL, USER, PASSWORD, POOL_SIZE, TIMEOUT);

    private PostgresSettings() {}
}
