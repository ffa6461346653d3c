package io.brizo.state.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.brizo.auth.NonceStore;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.Settings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link NonceStore} in PostgreSQL, shared by every server that uses the same database.
 *
 * <p>One SQL statement decides each nonce: an {@code INSERT ... ON CONFLICT (address) DO UPDATE
 * ... WHERE brizo_nonces.nonce < EXCLUDED.nonce}, which PostgreSQL runs atomically under the
 * row's lock, so of any number of servers racing one address and nonce exactly one sees its row
 * returned. It runs in its own transaction (auto-commit), and {@code true} is returned only after
 * the commit, which waits for the write-ahead log to be flushed ({@code synchronous_commit} is
 * raised to {@code on} for this store's connections if the server has it off).
 *
 * <p>Fails closed: when the database cannot be reached or fails, {@link #tryAccept} throws a
 * retryable {@link BrizoException} of kind UNAVAILABLE (503 over HTTP) and accepts nothing.
 * Neither messages nor log lines carry the URL, the user or the password.
 */
public final class PostgresNonceStore implements NonceStore {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresNonceStore.class);
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");

    /** The one statement that decides: a row comes back exactly when the nonce was accepted. */
    static final String ACCEPT = "INSERT INTO brizo_nonces AS n (address, nonce) VALUES (?, ?)"
            + " ON CONFLICT (address) DO UPDATE SET nonce = EXCLUDED.nonce, updated_at = now()"
            + " WHERE n.nonce < EXCLUDED.nonce RETURNING n.nonce";

    /** Raises synchronous_commit to on for the session when the server has it off. */
    static final String DURABLE_COMMITS = "SELECT set_config('synchronous_commit', CASE WHEN"
            + " current_setting('synchronous_commit') = 'off' THEN 'on' ELSE current_setting('synchronous_commit')"
            + " END, false)";

    private final DataSource dataSource;
    private final HikariDataSource ownedPool;

    private PostgresNonceStore(DataSource dataSource, HikariDataSource ownedPool) {
        this.dataSource = dataSource;
        this.ownedPool = ownedPool;
    }

    /**
     * Opens a store over the database that {@code BRIZO_DATABASE_URL}, {@code BRIZO_DATABASE_USER}
     * and {@code BRIZO_DATABASE_PASSWORD} name, with a pool of {@code BRIZO_DATABASE_POOL_SIZE}
     * connections, creating or migrating its tables. Close it to close the pool.
     *
     * @throws BrizoException of kind CONFIGURATION if a setting is missing or malformed, the
     *     database refuses the credentials or does not exist (the message names the setting, never
     *     its value); of kind UNAVAILABLE, retryable, if the database cannot be reached
     */
    public static PostgresNonceStore open(Settings settings) {
        HikariDataSource pool = pool(settings, "brizo-nonces");
        int poolSize = pool.getMaximumPoolSize();
        try {
            PostgresNonceStore store = new PostgresNonceStore(pool, pool);
            store.migrate();
            LOG.info("nonce store: PostgreSQL, pool of {} connections", poolSize);
            return store;
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /**
     * {@return a pool named {@code poolName} over the database of the settings, after one
     * connection of its own succeeded}
     *
     * @throws BrizoException as {@link #open(Settings)}
     */
    static HikariDataSource pool(Settings settings, String poolName) {
        Objects.requireNonNull(settings, "settings");
        String url = settings.require(
                PostgresSettings.URL.name(), "a JDBC URL such as jdbc:postgresql://db.internal:5432/brizo");
        if (!url.startsWith("jdbc:postgresql:") || org.postgresql.Driver.parseURL(url, new Properties()) == null) {
            throw settings.malformed(
                    PostgresSettings.URL.name(), "a JDBC URL such as jdbc:postgresql://db.internal:5432/brizo");
        }
        int poolSize = settings.getInt(PostgresSettings.POOL_SIZE.name(), PostgresSettings.DEFAULT_POOL_SIZE, 1, 1000);
        Duration timeout = settings.getDuration(PostgresSettings.TIMEOUT.name(), PostgresSettings.DEFAULT_TIMEOUT);
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw settings.malformed(PostgresSettings.TIMEOUT.name(), "a duration of at least 1s, such as 5s");
        }
        Properties driver = new Properties();
        settings.get(PostgresSettings.USER.name()).ifPresent(u -> driver.setProperty("user", u));
        settings.get(PostgresSettings.PASSWORD.name()).ifPresent(p -> driver.setProperty("password", p));
        long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
        driver.setProperty("connectTimeout", Long.toString(seconds));
        driver.setProperty("loginTimeout", Long.toString(seconds));
        driver.setProperty("socketTimeout", Long.toString(2 * seconds));
        driver.setProperty("tcpKeepAlive", "true");
        driver.setProperty("ApplicationName", "brizo");

        // One connection of our own first: a wrong URL or credentials fails here with a message
        // that names the setting, before a pool would log the driver's message (which names the
        // user and the host) and retry in the background.
        checkConnection(url, driver);

        HikariConfig config = new HikariConfig();
        config.setPoolName(poolName);
        config.setJdbcUrl(url);
        config.setDataSourceProperties(driver);
        config.setMaximumPoolSize(poolSize);
        config.setConnectionTimeout(timeout.toMillis());
        config.setValidationTimeout(Math.max(250, timeout.toMillis() / 2));
        config.setInitializationFailTimeout(-1);
        config.setConnectionInitSql(DURABLE_COMMITS);
        config.setAutoCommit(true);
        return new HikariDataSource(config);
    }

    /**
     * Opens a store over {@code dataSource}, a pool the application owns (it is not closed with
     * the store), creating or migrating its tables. Its connections must be in auto-commit mode.
     *
     * @throws BrizoException of kind UNAVAILABLE, retryable, if the database cannot be reached
     */
    public static PostgresNonceStore open(DataSource dataSource) {
        PostgresNonceStore store = new PostgresNonceStore(Objects.requireNonNull(dataSource, "dataSource"), null);
        store.migrate();
        return store;
    }

    private void migrate() {
        try {
            int found = Schema.migrate(dataSource);
            if (found < Schema.latest()) {
                LOG.info("nonce store: schema migrated from version {} to {}", found, Schema.latest());
            }
        } catch (SQLException e) {
            throw atStart(e);
        }
    }

    private static void checkConnection(String url, Properties driver) {
        try (Connection c = new org.postgresql.Driver().connect(url, driver)) {
            if (c == null) {
                throw BrizoException.configuration("BRIZO_DATABASE_URL is not a PostgreSQL JDBC URL; expected"
                        + " jdbc:postgresql://host:port/database");
            }
        } catch (SQLException e) {
            throw atStart(e);
        }
    }

    /** {@return the error for a failure at start, naming the setting to fix and no value} */
    static BrizoException atStart(SQLException e) {
        String state = sqlState(e);
        if (state.startsWith("28")) {
            return new BrizoException(
                    ErrorKind.CONFIGURATION,
                    "the database refused the credentials: check BRIZO_DATABASE_USER (or the user in"
                            + " BRIZO_DATABASE_URL) and BRIZO_DATABASE_PASSWORD",
                    BrizoException.redactedCause(e),
                    false);
        }
        if (state.equals("3D000")) {
            return new BrizoException(
                    ErrorKind.CONFIGURATION,
                    "the database named in BRIZO_DATABASE_URL does not exist; create it or fix the URL",
                    BrizoException.redactedCause(e),
                    false);
        }
        if (state.equals("42501")) {
            return new BrizoException(
                    ErrorKind.CONFIGURATION,
                    "the database user of BRIZO_DATABASE_USER may not create the nonce tables; grant it CREATE on"
                            + " the schema, or create them as the schema's owner",
                    BrizoException.redactedCause(e),
                    false);
        }
        LOG.warn(
                "nonce store: cannot reach the database at start ({}, SQL state {})",
                e.getClass().getSimpleName(),
                state);
        return new BrizoException(
                ErrorKind.UNAVAILABLE,
                "cannot reach the PostgreSQL database of BRIZO_DATABASE_URL: check its host and port, and that it"
                        + " runs and accepts connections from this server (SQL state " + state + ")",
                BrizoException.redactedCause(e),
                true);
    }

    @Override
    public boolean tryAccept(String address, long nonce) {
        String key = normalise(address);
        try (Connection c = dataSource.getConnection();
                PreparedStatement accept = c.prepareStatement(ACCEPT)) {
            accept.setString(1, key);
            accept.setLong(2, nonce);
            try (ResultSet rs = accept.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            LOG.warn(
                    "nonce store: database unavailable, nonce refused ({}, SQL state {})",
                    e.getClass().getSimpleName(),
                    sqlState(e));
            throw new BrizoException(
                    ErrorKind.UNAVAILABLE,
                    "the nonce store's database cannot be reached now, so the nonce was not accepted; try again later",
                    BrizoException.redactedCause(e),
                    true);
        }
    }

    /** Closes the pool, if this store made it. */
    @Override
    public void close() {
        if (ownedPool != null) {
            ownedPool.close();
        }
    }

    @Override
    public String toString() {
        return "PostgresNonceStore";
    }

    private static String normalise(String address) {
        if (address == null || !ADDRESS.matcher(address).matches()) {
            throw BrizoException.invalid("the consumer address must be 0x and 40 hex digits");
        }
        return address.toLowerCase(Locale.ROOT);
    }

    /** {@return the first SQL state in the cause chain, or "unknown"} */
    static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                return s.getSQLState();
            }
        }
        return "unknown";
    }
}
