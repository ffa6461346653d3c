package io.brizo.state.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.brizo.auth.LinkLedger;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.Settings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LinkLedger} in PostgreSQL (table {@code brizo_links}), shared by every server that uses
 * the same database, so that a transfer link reads once and an upload link's allowance holds
 * across replicas.
 *
 * <p>One statement decides each call: redeeming is an {@code INSERT ... ON CONFLICT DO NOTHING
 * RETURNING}, so of any number of replicas racing one link exactly one gets its row back;
 * reserving is an {@code INSERT ... ON CONFLICT DO UPDATE ... WHERE} the allowance still covers
 * the file. Rows whose link expired more than {@link #PURGE_MARGIN} ago are deleted, at most once a
 * minute, by whichever replica calls first.
 *
 * <p>Fails closed: when the database cannot be reached, every call throws a retryable {@link
 * BrizoException} of kind UNAVAILABLE (503 over HTTP), and nothing is redeemed.
 */
public final class PostgresLinkLedger implements LinkLedger {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresLinkLedger.class);

    /** How long past its expiry a row is kept, for clocks of replicas that disagree a little. */
    static final Duration PURGE_MARGIN = Duration.ofMinutes(5);

    private static final Duration PURGE_EVERY = Duration.ofMinutes(1);

    static final String REDEEM =
            "INSERT INTO brizo_links (id, expires_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING RETURNING id";
    static final String REDEEMED = "SELECT 1 FROM brizo_links WHERE id = ?";
    static final String RESERVE = "INSERT INTO brizo_links AS l (id, expires_at, bytes, files) VALUES (?, ?, ?, 1)"
            + " ON CONFLICT (id) DO UPDATE SET bytes = l.bytes + EXCLUDED.bytes, files = l.files + 1"
            + " WHERE l.files < ? AND l.bytes + EXCLUDED.bytes <= ? RETURNING bytes, files";
    static final String USAGE = "SELECT bytes, files FROM brizo_links WHERE id = ?";
    static final String RELEASE =
            "UPDATE brizo_links SET bytes = greatest(0, bytes - ?), files = greatest(0, files - 1) WHERE id = ?";
    static final String PURGE = "DELETE FROM brizo_links WHERE expires_at < ?";

    private final DataSource dataSource;
    private final HikariDataSource ownedPool;
    private final Clock clock;
    private final AtomicLong nextPurge = new AtomicLong();

    private PostgresLinkLedger(DataSource dataSource, HikariDataSource ownedPool, Clock clock) {
        this.dataSource = dataSource;
        this.ownedPool = ownedPool;
        this.clock = clock;
    }

    /**
     * Opens a ledger over the database of {@code BRIZO_DATABASE_URL} (with the same settings as
     * {@link PostgresNonceStore#open(Settings)}, and a pool of its own), creating or migrating the
     * tables. Close it to close the pool.
     *
     * @throws BrizoException as {@link PostgresNonceStore#open(Settings)}
     */
    public static PostgresLinkLedger open(Settings settings) {
        HikariDataSource pool = PostgresNonceStore.pool(settings, "brizo-links");
        try {
            PostgresLinkLedger ledger = new PostgresLinkLedger(pool, pool, Clock.systemUTC());
            ledger.migrate();
            LOG.info("link ledger: PostgreSQL, pool of {} connections", pool.getMaximumPoolSize());
            return ledger;
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /**
     * Opens a ledger over {@code dataSource}, a pool the application owns (it is not closed with
     * the ledger), creating or migrating the tables. Its connections must be in auto-commit mode.
     *
     * @throws BrizoException of kind UNAVAILABLE, retryable, if the database cannot be reached
     */
    public static PostgresLinkLedger open(DataSource dataSource) {
        PostgresLinkLedger ledger =
                new PostgresLinkLedger(Objects.requireNonNull(dataSource, "dataSource"), null, Clock.systemUTC());
        ledger.migrate();
        return ledger;
    }

    private void migrate() {
        try {
            Schema.migrate(dataSource);
        } catch (SQLException e) {
            throw PostgresNonceStore.atStart(e);
        }
    }

    @Override
    public boolean redeemOnce(String id, Instant expires) {
        purgeNowAndThen();
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement(REDEEM)) {
            st.setString(1, id);
            st.setObject(2, utc(expires));
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public boolean redeemed(String id) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement(REDEEMED)) {
            st.setString(1, id);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public Usage reserve(String id, long bytes, long maxBytes, int maxFiles, Instant expires) {
        purgeNowAndThen();
        try (Connection c = dataSource.getConnection()) {
            if (bytes <= maxBytes && maxFiles >= 1) {
                try (PreparedStatement st = c.prepareStatement(RESERVE)) {
                    st.setString(1, id);
                    st.setObject(2, utc(expires));
                    st.setLong(3, bytes);
                    st.setInt(4, maxFiles);
                    st.setLong(5, maxBytes);
                    try (ResultSet rs = st.executeQuery()) {
                        if (rs.next()) {
                            return new Usage(true, rs.getLong(1), rs.getInt(2));
                        }
                    }
                }
            }
            // Refused: say what the link has used, for the message.
            try (PreparedStatement st = c.prepareStatement(USAGE)) {
                st.setString(1, id);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? new Usage(false, rs.getLong(1), rs.getInt(2)) : new Usage(false, 0, 0);
                }
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public void release(String id, long bytes) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement(RELEASE)) {
            st.setLong(1, bytes);
            st.setString(2, id);
            st.executeUpdate();
        } catch (SQLException e) {
            // The upload failed anyway; what it reserved stays used until the link expires.
            LOG.warn(
                    "link ledger: database unavailable, a failed upload's allowance was not given back ({}, SQL"
                            + " state {})",
                    e.getClass().getSimpleName(),
                    PostgresNonceStore.sqlState(e));
        }
    }

    /** Deletes the rows of links expired more than {@link #PURGE_MARGIN} ago, at most once a minute. */
    private void purgeNowAndThen() {
        long now = clock.millis();
        long next = nextPurge.get();
        if (now < next || !nextPurge.compareAndSet(next, now + PURGE_EVERY.toMillis())) {
            return;
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement(PURGE)) {
            st.setObject(1, utc(Instant.ofEpochMilli(now).minus(PURGE_MARGIN)));
            st.executeUpdate();
        } catch (SQLException e) {
            // the call that follows reports the outage
        }
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static BrizoException unavailable(SQLException e) {
        LOG.warn(
                "link ledger: database unavailable, link refused ({}, SQL state {})",
                e.getClass().getSimpleName(),
                PostgresNonceStore.sqlState(e));
        return new BrizoException(
                ErrorKind.UNAVAILABLE,
                "the link ledger's database cannot be reached now, so the link was not used; try again later",
                BrizoException.redactedCause(e),
                true);
    }

    /** Closes the pool, if this ledger made it. */
    @Override
    public void close() {
        if (ownedPool != null) {
            ownedPool.close();
        }
    }

    @Override
    public String toString() {
        return "PostgresLinkLedger";
    }
}
