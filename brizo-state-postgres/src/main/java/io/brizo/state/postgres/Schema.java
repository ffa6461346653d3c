package io.brizo.state.postgres;

import io.brizo.spi.BrizoException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;

/**
 * Creates or migrates the module's tables at start, from plain versioned SQL scripts kept in the
 * jar ({@code schema/V<n>__<what>.sql}); the applied versions are rows of {@code
 * brizo_schema_version}.
 *
 * <p>Not Flyway or Liquibase: one table and one script do not need another dependency with its
 * own history table and class-path scanning. Safe when several replicas start at once: the whole
 * migration runs in one transaction that first takes a transaction-level advisory lock, so one
 * replica applies each script while the others wait and then find it applied. PostgreSQL's DDL
 * is transactional, so a failed script leaves nothing behind.
 */
final class Schema {
    /** The advisory lock key of the migration: "brizo" as a number, shared by every replica. */
    static final long LOCK = 0x6272697a6fL;

    /** The scripts in order; the version of each is its position, from 1. */
    static final List<String> SCRIPTS = List.of("V1__nonces.sql", "V2__links.sql");

    private Schema() {}

    /** {@return the schema version this module writes} */
    static int latest() {
        return SCRIPTS.size();
    }

    /**
     * Brings the database to {@link #latest()}.
     *
     * @return the version found before migrating (0 for an empty database)
     * @throws SQLException if the database fails; the caller maps it
     * @throws BrizoException of kind CONFIGURATION if the database holds a newer schema than this
     *     module knows
     */
    static int migrate(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(" + LOCK + ")");
                st.execute("CREATE TABLE IF NOT EXISTS brizo_schema_version ("
                        + "version integer PRIMARY KEY, script text NOT NULL,"
                        + " applied_at timestamptz NOT NULL DEFAULT now())");
                int found;
                try (ResultSet rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM brizo_schema_version")) {
                    rs.next();
                    found = rs.getInt(1);
                }
                if (found > latest()) {
                    throw BrizoException.configuration("the database of BRIZO_DATABASE_URL holds brizo schema version "
                            + found + ", newer than this brizo-state-postgres knows (" + latest()
                            + "); upgrade brizo-state-postgres on this server");
                }
                for (int v = found + 1; v <= latest(); v++) {
                    String script = SCRIPTS.get(v - 1);
                    st.execute(read(script));
                    st.execute(
                            "INSERT INTO brizo_schema_version (version, script) VALUES (" + v + ", '" + script + "')");
                }
                c.commit();
                return found;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            } finally {
                try {
                    c.setAutoCommit(autoCommit);
                } catch (SQLException ignored) {
                    // the connection is broken; the pool discards it
                }
            }
        }
    }

    private static String read(String script) {
        try (InputStream in = Schema.class.getResourceAsStream("schema/" + script)) {
            if (in == null) {
                throw new IllegalStateException("schema script missing from the jar: " + script);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read schema script " + script, e);
        }
    }
}
